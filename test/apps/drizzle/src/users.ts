import { eq } from "drizzle-orm";
import { enqueue } from "jobs-and-tasks";
import type { Db } from "@/db/client";
import { posts, users } from "@/db/schema";

export class Users {
  constructor(private readonly db: Db) {}

  /** Creates the user and enqueues their welcome mail: app code, not a task, enqueues the job. */
  async create(login: string, name: string): Promise<number> {
    await this.db.insert(users).values({ login, name });
    const job = await enqueue("mail:welcome", { args: [login] });
    return job.id;
  }

  async find(login: string) {
    const [user] = await this.db.select().from(users).where(eq(users.login, login));
    if (!user) throw new Error(`No user '${login}'`);
    const titles = await this.db.select({ title: posts.title }).from(posts).where(eq(posts.userId, user.id));
    return { ...user, posts: titles.map((post) => post.title) };
  }

  async welcome(login: string): Promise<void> {
    const user = await this.find(login);
    await this.db.insert(posts).values({ userId: user.id, title: `Welcome, ${user.name}!` });
  }
}
