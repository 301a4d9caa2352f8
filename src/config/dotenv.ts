/**
 * `.env` files: read from the project root before task files and the environment load. A variable
 * already set (by the shell, the platform or `NAME=value` on the command line) is never overridden,
 * and the first file to set a variable wins.
 */
import { readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { parseEnv } from "node:util";
import { DefinitionError } from "../errors.js";

export function loadEnvFiles(
  root: string,
  dotenv: { files: readonly string[]; required: boolean },
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  const loaded: string[] = [];
  for (const name of dotenv.files) {
    const file = isAbsolute(name) ? name : join(root, name);
    let content: string;
    try {
      content = readFileSync(file, "utf8");
    } catch (error) {
      if ((error as { code?: string }).code === "ENOENT" && !dotenv.required) continue;
      throw new DefinitionError(`Cannot read env file ${file}: ${(error as Error).message}`, [
        "Fix the dotenv setting in your jt config, or create the file",
      ]);
    }
    for (const [key, value] of Object.entries(parseEnv(content))) {
      if (env[key] === undefined && value !== undefined) env[key] = value;
    }
    loaded.push(file);
  }
  return loaded;
}
