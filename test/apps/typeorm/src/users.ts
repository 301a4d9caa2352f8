import { enqueue } from "jobs-and-tasks";
import type { DataSource } from "typeorm";
import { Post } from "./entity/Post";
import { User } from "./entity/User";

export class Users {
  constructor(private readonly db: DataSource) {}

  /** Creates the user and enqueues their welcome mail: app code, not a task, enqueues the job. */
  async create(login: string, name: string): Promise<number> {
    await this.db.getRepository(User).save({ login, name });
    const job = await enqueue("mail:welcome", { args: [login] });
    return job.id;
  }

  async find(login: string): Promise<User> {
    const user = await this.db.getRepository(User).findOne({ where: { login }, relations: { posts: true } });
    if (!user) throw new Error(`No user '${login}'`);
    return user;
  }

  async welcome(login: string): Promise<void> {
    const user = await this.find(login);
    await this.db.getRepository(Post).save({ title: `Welcome, ${user.name}!`, user });
  }
}
