import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // The example app imports jt's testing helpers as an app does, by the package's name: here, the build.
    alias: { "jobs-and-tasks/testing": fileURLToPath(new URL("dist/testing/index.js", import.meta.url)) },
  },
  test: {
    include: ["test/**/*.test.ts", "examples/app/test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    typecheck: { enabled: true, include: ["test/**/*.test-d.ts"], tsconfig: "./tsconfig.json" },
  },
});
