const { enqueue } = require("jobs-and-tasks");

class Users {
  constructor(db) {
    this.db = db;
  }

  /** Creates the user and enqueues their welcome mail: app code, not a task, enqueues the job. */
  async create(login, name) {
    await this.db("users").insert({ login, name });
    const job = await enqueue("mail:welcome", { args: [login] });
    return job.id;
  }

  async find(login) {
    const user = await this.db("users").where({ login }).first();
    if (!user) throw new Error(`No user '${login}'`);
    const posts = await this.db("posts").where({ user_id: user.id }).orderBy("id").pluck("title");
    return { ...user, posts };
  }

  async welcome(login) {
    const user = await this.find(login);
    await this.db("posts").insert({ user_id: user.id, title: `Welcome, ${user.name}!` });
  }
}

module.exports = { Users };
