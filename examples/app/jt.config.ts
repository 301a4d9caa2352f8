// jt's config for this app: where tasks live (the default), how to boot the app, and its job hooks.
export default {
  tasksDir: "tasks",
  environment: "./app/environment.ts",
  jobs: { hooks: "./app/job-hooks.ts" },
};
