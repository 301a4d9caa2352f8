// jt's own development tasks, run with jt itself: `node bin/jt.js -T`. Each runs what the npm
// script of the same name runs (package.json), so `jt ci` is `npm test`.
import { desc, task } from "jobs-and-tasks";

desc("Bundle src/ into dist/ (scripts/build.mjs), as npm run build");
task("build", ({ sh }) => sh`node scripts/build.mjs`);

desc("Type-check src/, tests, tasks and the example app");
task("typecheck", async ({ sh }) => {
  await sh`npx tsc -p tsconfig.json`;
  await sh`npx tsc -p examples/app/tsconfig.json`;
});

desc("Lint and check formatting (Biome), and the layers of docs/architecture.md");
task("lint", async ({ sh }) => {
  await sh`npx biome check .`;
  await sh`node scripts/check-layers.mjs`;
});

desc("Run the test suite (after a build)");
task("test", ["build"], ({ sh }) => sh`npx vitest run`);

desc("Build, type-check, lint and test: what npm test and CI run");
task("ci", ["build", "typecheck", "lint", "test"]);

task("default", ["ci"]);
