import { Kysely, PostgresDialect, type Generated } from "kysely";
import pg from "pg";

export interface Database {
  users: { id: Generated<number>; login: string; name: string };
  posts: { id: Generated<number>; user_id: number; title: string };
}

export function connect(): Kysely<Database> {
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, options: `-c search_path=${process.env.APP_SCHEMA ?? "public"}` });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
