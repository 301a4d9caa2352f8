// jt's own development tasks, run with jt itself: `node bin/jt.js -T`.
import { execa } from "execa";
import { desc, task } from "jobs-and-tasks";

const run = (file: string, args: string[]) => execa(file, args, { stdio: "inherit", preferLocal: true });

desc("Compile src/ to dist/");
task("build", () => run("tsc", ["-p", "tsconfig.build.json"]));

desc("Type-check src/, tests, tasks and examples");
task("typecheck", () => run("tsc", ["-p", "tsconfig.json"]));

desc("Run the test suite (after a build)");
task("test", ["build"], () => run("vitest", ["run"]));

desc("Build, type-check and test: what CI runs");
task("ci", ["build", "typecheck", "test"]);

task("default", ["ci"]);
