/**
 * A store's database driver: a package the app installs (an optional peer of jt), loaded only when
 * that store is used. Before loading it, jt reads the driver's package.json: a major jt does not
 * support, or one whose `engines` rules out this Node (better-sqlite3 13 on Node 20 crashes the
 * process instead of throwing), is refused with one sentence naming the version found and the
 * command that fixes it.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, isAbsolute, join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { DefinitionError } from "../../errors.js";

export interface DriverSpec {
  /** The npm package name. */
  readonly name: string;
  /** The store's name in messages ("Jobs on SQLite need …"). */
  readonly store: string;
  /** The majors jt is tested with. */
  readonly majors: readonly number[];
  /** A native addon: it can fail to load after the package itself resolved. */
  readonly native: boolean;
}

export const SQLITE_DRIVER: DriverSpec = { name: "better-sqlite3", store: "SQLite", majors: [12, 13], native: true };
export const POSTGRES_DRIVER: DriverSpec = { name: "pg", store: "PostgreSQL", majors: [8], native: false };

interface FoundDriver {
  readonly main: string;
  readonly directory: string;
  readonly version: string;
  readonly engines: string | undefined;
}

const NODE_VERSION = process.versions.node;
const NODE_MAJOR = Number(NODE_VERSION.split(".")[0]);

/** The driver `spec` names, found from the project (the working directory) first, then from jt's own location. */
export function loadDriver<T>(spec: DriverSpec): T {
  const found = findDriver(spec.name);
  if (!found) {
    throw new DefinitionError(`Jobs on ${spec.store} need the ${spec.name} package, which is not installed`, [
      `Install it in your app: npm install ${spec.name}@${recommendedMajor(spec)}`,
    ]);
  }
  const refusal = refusalOf(spec, found);
  if (refusal) throw refusal;
  try {
    return createRequire(found.main)(found.main) as T;
  } catch (error) {
    throw driverFailure(spec, error, found);
  }
}

/** The major to tell the user to install: the newest jt supports that this Node can load. */
export function recommendedMajor(spec: DriverSpec, nodeMajor = NODE_MAJOR): number {
  if (spec === SQLITE_DRIVER && nodeMajor < 22) return 12;
  return Math.max(...spec.majors);
}

/** The lowest Node major an `engines.node` range such as ">=22", "20.x || >=22" or "^20.17.0" allows. */
export function minimumNodeMajor(range: string | undefined): number | undefined {
  if (!range) return undefined;
  let lowest: number | undefined;
  for (const alternative of range.split("||")) {
    const match = /(\d+)/.exec(alternative.replace(/<=?\s*[\d.x*]+/g, ""));
    if (!match) return undefined; // "*" or something unparsed: assume any Node
    const major = Number(match[1]);
    lowest = lowest === undefined ? major : Math.min(lowest, major);
  }
  return lowest;
}

/** The reason not to load `found` on this Node, or undefined when it may be loaded. */
export function refusalOf(
  spec: DriverSpec,
  found: FoundDriver,
  nodeMajor = NODE_MAJOR,
  nodeVersion = NODE_VERSION,
): DefinitionError | undefined {
  const major = Number(found.version.split(".")[0]);
  const where = shortPath(found.directory);
  if (!spec.majors.includes(major)) {
    const supported = spec.majors.join(" or ");
    const age = major < Math.min(...spec.majors) ? "too old" : "newer than jt knows";
    return new DefinitionError(
      `Jobs on ${spec.store} work with ${spec.name} ${supported}; this app has ${spec.name} ${found.version} (${where}), which is ${age}`,
      [`Install a version jt supports, in your app: npm install ${spec.name}@${recommendedMajor(spec, nodeMajor)}`],
    );
  }
  const needs = minimumNodeMajor(found.engines);
  if (needs !== undefined && nodeMajor < needs) {
    return new DefinitionError(
      `${spec.name} ${found.version} (${where}) needs Node ${needs} or later (its engines field says "${found.engines}"); this is Node ${nodeVersion}, where loading it would crash the process`,
      [
        `Install the version for this Node, in your app: npm install ${spec.name}@${recommendedMajor(spec, nodeMajor)} (or run jt on Node ${needs} or later)`,
      ],
    );
  }
  return undefined;
}

/**
 * What to say when a native driver fails to open (better-sqlite3 loads its addon on first use,
 * so this also wraps the first `new Database`). Other errors pass through unchanged.
 */
export function driverFailure(spec: DriverSpec, error: unknown, found = findDriver(spec.name)): unknown {
  if (!spec.native || !(error instanceof Error)) return error;
  const version = found ? `${spec.name} ${found.version}` : spec.name;
  const firstLine = error.message.split("\n")[0] ?? "";
  const abi = /NODE_MODULE_VERSION (\d+)[\s\S]*?NODE_MODULE_VERSION (\d+)/.exec(error.message);
  if (abi) {
    return new DefinitionError(
      `${version} was built for another version of Node (module version ${abi[1]}); this is Node ${NODE_VERSION} (module version ${abi[2]})`,
      [`Rebuild it for this Node, in your app: npm rebuild ${spec.name}`],
    );
  }
  if (/Could not locate the bindings file|Cannot find module '.*\.node'/.test(error.message)) {
    return new DefinitionError(`${version} is installed without its native part: its install script, which builds it, did not run`, [
      `Build it, in your app: npm install-scripts approve ${spec.name} && npm rebuild ${spec.name}`,
      `(npm 11 skips install scripts until they are approved; ${firstLine.replace(/\s*Tried:.*$/, "")})`,
    ]);
  }
  return error;
}

/** A path inside the project relative to it (node_modules/pg), any other in full. */
function shortPath(path: string): string {
  const inProject = relative(process.cwd(), path);
  return inProject === "" || inProject.startsWith("..") || isAbsolute(inProject) ? path : inProject;
}

function findDriver(name: string): FoundDriver | undefined {
  for (const base of [pathToFileURL(join(process.cwd(), "noop.js")).href, import.meta.url]) {
    let main: string;
    try {
      main = createRequire(base).resolve(name);
    } catch {
      continue;
    }
    const directory = packageDirectory(main, name);
    const manifest = JSON.parse(readFileSync(join(directory, "package.json"), "utf8")) as { version?: string; engines?: { node?: string } };
    return { main, directory, version: manifest.version ?? "0.0.0", engines: manifest.engines?.node };
  }
  return undefined;
}

/** The package's own directory: the nearest parent of its main file whose package.json is `name`'s. */
function packageDirectory(main: string, name: string): string {
  for (let directory = dirname(main); dirname(directory) !== directory; directory = dirname(directory)) {
    try {
      const manifest = JSON.parse(readFileSync(join(directory, "package.json"), "utf8")) as { name?: string };
      if (manifest.name === name) return directory;
    } catch {
      // no package.json here: keep going up
    }
  }
  return dirname(main);
}
