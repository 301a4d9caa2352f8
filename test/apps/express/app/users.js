import { enqueue } from "jobs-and-tasks";

export class Users {
  constructor(pool) {
    this.pool = pool;
  }

  /**
   * Creates the user, enqueues their welcome mail and records their address, in one transaction:
   * when the address is taken, the rollback takes the job with it, and no worker can see the job
   * before the user exists.
   */
  async create(login, name, email) {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      const { rows } = await client.query("INSERT INTO users (login, name) VALUES ($1, $2) RETURNING id", [login, name]);
      const job = await enqueue("mail:welcome", { args: [login], db: client });
      await client.query("INSERT INTO emails (user_id, address) VALUES ($1, $2)", [rows[0].id, email]);
      await client.query("COMMIT");
      return job.id;
    } catch (error) {
      await client.query("ROLLBACK");
      throw error;
    } finally {
      client.release();
    }
  }

  async find(login) {
    const { rows } = await this.pool.query("SELECT id, login, name FROM users WHERE login = $1", [login]);
    if (!rows[0]) throw new Error(`No user '${login}'`);
    const posts = await this.pool.query("SELECT title FROM posts WHERE user_id = $1 ORDER BY id", [rows[0].id]);
    return { ...rows[0], posts: posts.rows.map((post) => post.title) };
  }

  async welcome(login) {
    const user = await this.find(login);
    await this.pool.query("INSERT INTO posts (user_id, title) VALUES ($1, $2)", [user.id, `Welcome, ${user.name}!`]);
  }
}


