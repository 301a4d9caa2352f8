import { Injectable } from "@nestjs/common";
import { enqueue } from "jobs-and-tasks";
import { DbService } from "./db.service.js";

@Injectable()
export class UsersService {
  // Constructor injection: Nest reads the parameter's type from decorator metadata.
  constructor(private readonly db: DbService) {}

  /** Creates the user and enqueues their welcome mail: app code, not a task, enqueues the job. */
  async create(login: string, name: string): Promise<number> {
    await this.db.query("INSERT INTO users (login, name) VALUES ($1, $2)", [login, name]);
    const job = await enqueue("mail:welcome", { args: [login] });
    return job.id;
  }

  async find(login: string): Promise<{ id: number; login: string; name: string; posts: string[] }> {
    const { rows } = await this.db.query<{ id: number; login: string; name: string }>("SELECT id, login, name FROM users WHERE login = $1", [login]);
    const user = rows[0];
    if (!user) throw new Error(`No user '${login}'`);
    const posts = await this.db.query<{ title: string }>("SELECT title FROM posts WHERE user_id = $1 ORDER BY id", [user.id]);
    return { ...user, posts: posts.rows.map((post) => post.title) };
  }

  async welcome(login: string): Promise<void> {
    const user = await this.find(login);
    await this.db.query("INSERT INTO posts (user_id, title) VALUES ($1, $2)", [user.id, `Welcome, ${user.name}!`]);
  }
}
