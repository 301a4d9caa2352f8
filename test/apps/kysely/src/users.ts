import { enqueue } from "jobs-and-tasks";
import { sql, type Kysely } from "kysely";
import type { Database } from "./db.js";

export class Users {
  constructor(private readonly db: Kysely<Database>) {}

  async migrate(): Promise<void> {
    await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(process.env.APP_SCHEMA ?? "public")}`.execute(this.db);
    await this.db.schema.createTable("users").ifNotExists()
      .addColumn("id", "serial", (c) => c.primaryKey())
      .addColumn("login", "text", (c) => c.notNull().unique())
      .addColumn("name", "text", (c) => c.notNull())
      .execute();
    await this.db.schema.createTable("posts").ifNotExists()
      .addColumn("id", "serial", (c) => c.primaryKey())
      .addColumn("user_id", "integer", (c) => c.notNull().references("users.id"))
      .addColumn("title", "text", (c) => c.notNull())
      .execute();
  }

  /** Creates the user and enqueues their welcome mail: app code, not a task, enqueues the job. */
  async create(login: string, name: string): Promise<number> {
    await this.db.insertInto("users").values({ login, name }).execute();
    return (await enqueue("mail:welcome", { args: [login] })).id;
  }

  async find(login: string) {
    const user = await this.db.selectFrom("users").selectAll().where("login", "=", login).executeTakeFirst();
    if (!user) throw new Error(`No user '${login}'`);
    const posts = await this.db.selectFrom("posts").select("title").where("user_id", "=", user.id).orderBy("id").execute();
    return { ...user, posts: posts.map((post) => post.title) };
  }

  async welcome(login: string): Promise<void> {
    const user = await this.find(login);
    await this.db.insertInto("posts").values({ user_id: user.id, title: `Welcome, ${user.name}!` }).execute();
  }
}
