/** A store's database driver: a package the app installs (an optional peer of jt), loaded only when that store is used. */
import { createRequire } from "node:module";
import { DefinitionError } from "../../errors.js";

export function loadDriver<T>(name: string, store: string, install: string): T {
  try {
    return createRequire(import.meta.url)(name) as T;
  } catch (error) {
    throw new DefinitionError(`Jobs on ${store} need the ${name} package, which is not installed`, [
      `Install it in your app: ${install}`,
      `(${(error as Error).message.split("\n")[0]})`,
    ]);
  }
}
