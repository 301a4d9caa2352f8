import { Injectable, type OnModuleDestroy } from "@nestjs/common";
import pg from "pg";

@Injectable()
export class DbService implements OnModuleDestroy {
  readonly pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, options: `-c search_path=${process.env.APP_SCHEMA ?? "public"}` });

  query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    return this.pool.query<R>(sql, params);
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.end();
  }
}
