/** `jt jobs:migrate`: opening the store brings its schema up to date. */
import { describeLocation } from "../../jobs/store/open.js";
import type { VerbContext } from "./context.js";

export async function migrateVerb(context: VerbContext): Promise<number> {
  return context.withStore(async ({ location }) => {
    context.output.out(`The job store is up to date: ${describeLocation(location)}\n`);
    return 0;
  });
}
