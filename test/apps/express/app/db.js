import pg from "pg";

export function connect() {
  return new pg.Pool({ connectionString: process.env.DATABASE_URL, options: `-c search_path=${process.env.APP_SCHEMA ?? "public"}` });
}
