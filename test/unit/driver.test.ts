/** Deciding whether a store's driver can be loaded, from its package.json alone, and naming a load failure (issue 21 §3). */
import { describe, expect, test } from "vitest";
import { DefinitionError } from "../../src/errors.js";
import {
  driverFailure,
  minimumNodeMajor,
  POSTGRES_DRIVER,
  recommendedMajor,
  refusalOf,
  SQLITE_DRIVER,
} from "../../src/jobs/store/driver.js";

const found = (version: string, engines?: string) => ({
  main: "/app/node_modules/x/index.js",
  directory: "/app/node_modules/x",
  version,
  engines,
});

describe("minimumNodeMajor", () => {
  test.each<[string | undefined, number | undefined]>([
    [">=22", 22],
    ["20.x || 22.x || 23.x || 24.x", 20],
    ["^20.17.0 || >=22.9.0", 20],
    [">= 16.0.0", 16],
    ["<26 >=22", 22],
    ["*", undefined],
    [undefined, undefined],
  ])("%s → %s", (range, major) => expect(minimumNodeMajor(range)).toBe(major));
});

describe("refusalOf", () => {
  test("better-sqlite3 13 on Node 20 is refused, on Node 22 allowed", () => {
    const thirteen = found("13.2.0", ">=22");
    expect(refusalOf(SQLITE_DRIVER, thirteen, 20, "20.20.2")?.message).toBe(
      `better-sqlite3 13.2.0 (/app/node_modules/x) needs Node 22 or later (its engines field says ">=22"); this is Node 20.20.2, where loading it would crash the process`,
    );
    expect(refusalOf(SQLITE_DRIVER, thirteen, 22, "22.1.0")).toBeUndefined();
    expect(refusalOf(SQLITE_DRIVER, found("12.11.1", "20.x || 22.x || 23.x || 24.x || 25.x"), 20, "20.20.2")).toBeUndefined();
  });

  test("a major outside the supported ones is refused with the one to install", () => {
    const old = refusalOf(POSTGRES_DRIVER, found("7.18.2"), 20, "20.20.2");
    expect(old).toBeInstanceOf(DefinitionError);
    expect(old?.message).toBe("Jobs on PostgreSQL work with pg 8; this app has pg 7.18.2 (/app/node_modules/x), which is too old");
    expect(old?.details).toEqual(["Install a version jt supports, in your app: npm install pg@8"]);
    expect(refusalOf(SQLITE_DRIVER, found("14.0.0"), 24, "24.1.0")?.message).toMatch(
      /work with better-sqlite3 12 or 13; .* which is newer than jt knows$/,
    );
    expect(refusalOf(SQLITE_DRIVER, found("11.10.0"), 20, "20.20.2")?.details).toEqual([
      "Install a version jt supports, in your app: npm install better-sqlite3@12",
    ]);
  });

  test("the version to install depends on Node for better-sqlite3 only", () => {
    expect(recommendedMajor(SQLITE_DRIVER, 20)).toBe(12);
    expect(recommendedMajor(SQLITE_DRIVER, 22)).toBe(13);
    expect(recommendedMajor(POSTGRES_DRIVER, 20)).toBe(8);
  });
});

describe("driverFailure", () => {
  test("an addon built for another Node names both module versions and the rebuild", () => {
    const error = new Error(
      "The module '/app/node_modules/better-sqlite3/build/Release/better_sqlite3.node'\nwas compiled against a different Node.js version using\nNODE_MODULE_VERSION 115. This version of Node.js requires\nNODE_MODULE_VERSION 127. Please try re-compiling or re-installing",
    );
    const failure = driverFailure(SQLITE_DRIVER, error, found("12.11.1"));
    expect(failure).toBeInstanceOf(DefinitionError);
    expect((failure as DefinitionError).message).toBe(
      `better-sqlite3 12.11.1 was built for another version of Node (module version 115); this is Node ${process.versions.node} (module version 127)`,
    );
    expect((failure as DefinitionError).details).toEqual(["Rebuild it for this Node, in your app: npm rebuild better-sqlite3"]);
  });

  test("other errors pass through unchanged", () => {
    const error = Object.assign(new Error("unable to open database file"), { code: "SQLITE_CANTOPEN" });
    expect(driverFailure(SQLITE_DRIVER, error, found("12.11.1"))).toBe(error);
    const missing = new Error("Could not locate the bindings file.");
    expect(driverFailure(POSTGRES_DRIVER, missing, found("8.1.0"))).toBe(missing);
  });
});
