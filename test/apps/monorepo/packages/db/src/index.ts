import pg from "pg";

export function connect(): pg.Pool {
  return new pg.Pool({ connectionString: process.env.DATABASE_URL, options: `-c search_path=${process.env.APP_SCHEMA ?? "public"}` });
}

export class Users {
  constructor(private readonly pool: pg.Pool) {}

  async migrate(): Promise<void> {
    await this.pool.query(`CREATE SCHEMA IF NOT EXISTS "${process.env.APP_SCHEMA ?? "public"}"`);
    await this.pool.query("CREATE TABLE IF NOT EXISTS users (id SERIAL PRIMARY KEY, login TEXT NOT NULL UNIQUE, name TEXT NOT NULL)");
    await this.pool.query("CREATE TABLE IF NOT EXISTS posts (id SERIAL PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id), title TEXT NOT NULL)");
  }

  async insert(login: string, name: string): Promise<void> {
    await this.pool.query("INSERT INTO users (login, name) VALUES ($1, $2)", [login, name]);
  }

  async find(login: string): Promise<{ id: number; login: string; name: string; posts: string[] }> {
    const { rows } = await this.pool.query<{ id: number; login: string; name: string }>("SELECT id, login, name FROM users WHERE login = $1", [login]);
    const user = rows[0];
    if (!user) throw new Error(`No user '${login}'`);
    const posts = await this.pool.query<{ title: string }>("SELECT title FROM posts WHERE user_id = $1 ORDER BY id", [user.id]);
    return { ...user, posts: posts.rows.map((post) => post.title) };
  }

  async addPost(userId: number, title: string): Promise<void> {
    await this.pool.query("INSERT INTO posts (user_id, title) VALUES ($1, $2)", [userId, title]);
  }
}
