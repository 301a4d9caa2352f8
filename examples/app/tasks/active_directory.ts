import { desc, namespace, task } from "jobs-and-tasks";
import { readFileSync } from "node:fs";

interface DirectoryEntry {
  login: string;
  name: string;
  email: string;
  department: string;
}

namespace("active_directory", () => {
  desc("Load the given users from the directory export (data/directory.json) and upsert them");
  task("load", { deps: ["environment"], args: ["logins..."] }, ({ app, args }) => {
    if (args.logins.length === 0) throw new Error("Name the users to load: jt 'active_directory:load[alice,bob]'");
    const directory = JSON.parse(readFileSync("data/directory.json", "utf8")) as DirectoryEntry[];
    const entries = args.logins.map((login) => {
      const entry = directory.find((e) => e.login === login);
      if (!entry) throw new Error(`'${login}' is not in data/directory.json (nothing was loaded)`);
      return entry;
    });
    app.db.transaction(() => {
      for (const entry of entries) app.users.upsert({ ...entry, source: "active_directory" });
    })();
    for (const entry of entries) console.log(`active_directory:load: ${entry.login}`);
  });
});
