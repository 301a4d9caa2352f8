/**
 * `jt -T` and the other listings, answered from a fresh manifest without loading commander,
 * cosmiconfig, chalk, tsx or any task file: what a shell completion or a habitual `jt -T` needs
 * to be instant. Only plain listing command lines are answered here; for anything else, or when
 * the manifest is missing or stale, it returns undefined and the full command line takes over
 * (and rebuilds the manifest). Every value it prints comes from the same renderers as that path.
 */
import { registryFromManifest } from "../cache/manifest.js";
import { findProjectRoot } from "../config/root.js";
import { freshManifest } from "../load/fresh-manifest.js";
import { listingAsJson, renderListing, type Listing, type ListingMode } from "../report/listing.js";
import { listingColumns } from "../report/terminal.js";

interface ListingRequest {
  listing: Listing;
  all: boolean;
  json: boolean;
  silent: boolean;
  directory: string | undefined;
}

const MODES: Record<string, ListingMode> = {
  "-T": "tasks",
  "--tasks": "tasks",
  "-D": "describe",
  "--describe": "describe",
  "-W": "where",
  "--where": "where",
  "-P": "prereqs",
  "--prereqs": "prereqs",
  "--complete-tasks": "completion",
};

/** Exits with this code when the listing was printed from the cache; undefined: take the full path. */
export function cachedListing(argv: readonly string[]): number | undefined {
  const request = plainListingRequest(argv);
  if (!request) return undefined;
  // The full path applies -C itself: hand it back the directory it was started in.
  const launchDir = process.cwd();
  const code = listFromCache(request);
  if (code === undefined) process.chdir(launchDir);
  return code;
}

function listFromCache(request: ListingRequest): number | undefined {
  try {
    if (request.directory !== undefined) process.chdir(request.directory);
    const startDir = process.cwd();
    const found = findProjectRoot(startDir);
    if (!found) return undefined;
    const manifest = freshManifest(found.root, found.configFile, { loadEnv: true });
    if (!manifest) return undefined;
    if (found.root !== startDir) {
      process.chdir(found.root);
      if (!request.silent) process.stderr.write(`(in ${found.root})\n`);
    }
    const definitions = registryFromManifest(manifest);
    process.stdout.write(
      request.json
        ? listingAsJson(request.listing, definitions, request.all)
        : renderListing(request.listing, definitions, { all: request.all, columns: listingColumns() }),
    );
    return 0;
  } catch {
    // Whatever went wrong (a missing -C directory, an unreadable .env), the full path reports it properly.
    return undefined;
  }
}

/** The listing a command line asks for, when it asks for nothing else; undefined otherwise. */
function plainListingRequest(argv: readonly string[]): ListingRequest | undefined {
  let listing: Listing | undefined;
  const request = { all: false, json: false, silent: false, directory: undefined as string | undefined };
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    const [flag, attached] =
      word.startsWith("--") && word.includes("=")
        ? [word.slice(0, word.indexOf("=")), word.slice(word.indexOf("=") + 1)]
        : [word, undefined];
    const mode = MODES[flag];
    if (mode) {
      if (listing) return undefined;
      let source = attached;
      const next = argv[i + 1];
      const takesPattern = mode !== "prereqs" && mode !== "completion";
      if (source === undefined && takesPattern && next !== undefined && !next.startsWith("-")) {
        source = next;
        i += 1;
      }
      if (!takesPattern && source !== undefined) return undefined;
      let pattern: RegExp | undefined;
      try {
        pattern = source === undefined ? undefined : new RegExp(source);
      } catch {
        return undefined;
      }
      listing = { mode, pattern };
    } else if ((flag === "-A" || flag === "--all") && attached === undefined) request.all = true;
    else if (flag === "--json" && attached === undefined) request.json = true;
    else if ((flag === "-s" || flag === "--silent") && attached === undefined) request.silent = true;
    else if ((flag === "-q" || flag === "--quiet") && attached === undefined) continue;
    else if (flag === "-C" || flag === "--directory") {
      const dir = attached ?? argv[++i];
      if (dir === undefined) return undefined;
      request.directory = dir;
    } else return undefined;
  }
  return listing && { listing, ...request };
}
