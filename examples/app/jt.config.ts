// jt's config for this app: where tasks live (the default) and how to boot the app.
export default {
  tasksDir: "tasks",
  environment: "./app/environment.ts",
};
