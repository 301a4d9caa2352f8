/**
 * The code tsx compiled for the project's own modules, kept on disk with how each module's
 * relative imports resolved, so that the next run loads unchanged modules without tsx at all.
 * An entry is used only while its source file is unchanged (cache/stamps.ts).
 */
import { join } from "node:path";
import { isUnchanged, stampFile, type FileStamp } from "../cache/stamps.js";
import { fnv1a, readCacheFile, writeCacheFile } from "../cache/store.js";

export interface CompiledModule {
  file: string;
  stamp: FileStamp;
  madeAt: number;
  /** What tsx gave Node to run (CommonJS, with an inline source map). */
  code: string;
  /** Relative requests in this module and the files they resolved to. */
  resolved: Record<string, string>;
  /** The tsconfig it was compiled under (its compiler options, and whether they asked for decorator metadata). */
  tsconfig: string;
}

export class CompiledCache {
  private readonly fresh = new Map<string, CompiledModule | null>();

  /** `tsconfig`: the fingerprint of the project's tsconfig now; an entry made under another is not used. */
  constructor(
    private readonly dir: string,
    private readonly tsconfig: () => string,
  ) {}

  /** The cached module for this file, if its source is unchanged. */
  get(file: string): CompiledModule | undefined {
    let entry = this.fresh.get(file);
    if (entry === undefined) {
      entry = this.read(file) ?? null;
      this.fresh.set(file, entry);
    }
    return entry ?? undefined;
  }

  /** Stores what was compiled now; `madeAt` is when it was read, for the racy-edit check. */
  put(file: string, code: string, resolved: Record<string, string>, madeAt: number): void {
    const stamp = stampFile(file);
    if (!stamp) return;
    const entry: CompiledModule = { file, stamp, madeAt, code, resolved, tsconfig: this.tsconfig() };
    this.fresh.set(file, entry);
    writeCacheFile(this.entryFile(file), JSON.stringify(entry));
  }

  private read(file: string): CompiledModule | undefined {
    const text = readCacheFile(this.entryFile(file));
    if (text === undefined) return undefined;
    try {
      const entry = JSON.parse(text) as CompiledModule;
      if (entry.file !== file || entry.tsconfig !== this.tsconfig()) return undefined;
      return isUnchanged(file, entry.stamp, entry.madeAt) ? entry : undefined;
    } catch {
      return undefined;
    }
  }

  private entryFile(file: string): string {
    return join(this.dir, `${fnv1a(file)}.json`);
  }
}
