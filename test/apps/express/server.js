import express from "express";
import { dashboard } from "jobs-and-tasks";
import { connect } from "./app/db.js";
import { Users } from "./app/users.js";

const pool = connect();
const users = new Users(pool);
const app = express();
app.use(express.json());

// jt's dashboard, behind the app's own check (a header here; a session in a real app).
const jobs = dashboard({ prefix: "/admin/jobs" });
app.use("/admin/jobs", (req, res, next) => (req.headers["x-admin"] === "yes" ? jobs.handle(req, res) : res.status(401).end()));

app.post("/users", async (req, res) => {
  try {
    const job = await users.create(req.body.login, req.body.name, req.body.email);
    res.status(201).json({ login: req.body.login, welcomeJob: job });
  } catch (error) {
    res.status(422).json({ error: error.message });
  }
});

const server = app.listen(Number(process.env.PORT ?? 3000), "127.0.0.1", () => {
  console.log(`listening on ${server.address().port}`);
});

process.on("SIGTERM", () => {
  server.close(() => void Promise.all([pool.end(), jobs.close()]));
});
