import { defineEnvironment } from "jobs-and-tasks";

/** The "app": an in-memory list of sent mails, booted per run. */
export default defineEnvironment({
  setup() {
    return { outbox: [] };
  },
});
