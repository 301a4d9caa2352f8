import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import * as schema from "@/db/schema";

export function connect() {
  const pool = new pg.Pool({
    connectionString: process.env.DATABASE_URL,
    options: `-c search_path=${process.env.APP_SCHEMA ?? "public"}`,
  });
  return { pool, db: drizzle(pool, { schema }) };
}

export type Db = ReturnType<typeof connect>["db"];
