import type { Statement } from "better-sqlite3";
import { prepare, type Db } from "./db.ts";

export interface User {
  id: number;
  login: string;
  name: string;
  email: string | null;
  department: string | null;
  source: string;
}

export type NewUser = Pick<User, "login" | "name"> & Partial<Pick<User, "email" | "department" | "source">>;

/** The users model: a thin layer over the users table. */
export class Users {
  constructor(private readonly db: Db) {}

  /** Inserts the user, or updates the one with the same login. */
  upsert(user: NewUser): User {
    return this.statement(
      `INSERT INTO users (login, name, email, department, source) VALUES (@login, @name, @email, @department, @source)
       ON CONFLICT (login) DO UPDATE SET name = excluded.name, email = excluded.email,
         department = excluded.department, source = excluded.source
       RETURNING *`,
    ).get({ email: null, department: null, source: "manual", ...user }) as User;
  }

  all(): User[] {
    return this.statement("SELECT * FROM users ORDER BY login").all() as User[];
  }

  count(): number {
    return this.statement("SELECT count(*) FROM users").pluck().get() as number;
  }

  // Prepared on first use (the table exists only after db:migrate) and kept: see db.ts.
  private statement(sql: string): Statement {
    return prepare(this.db, sql);
  }
}
