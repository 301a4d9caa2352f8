/**
 * Name resolution (Rake's `lookup_in_scope`, `^` trimming) and close matches for unknown
 * names (compared with the suggestions Rake 13.0.6 + did_you_mean printed).
 */
import { describe, expect, test } from "vitest";
import { closeMatches, jaroWinkler, levenshtein } from "../../src/shared/suggest.js";
import { invalidNameReason, qualify, resolveName } from "../../src/registry/names.js";

/** resolveName over a fixed set of names, recording the candidates it tried. */
function resolveIn(names: readonly string[], written: string, scope: readonly string[]) {
  const tried: string[] = [];
  const found = resolveName(written, scope, (candidate) => {
    tried.push(candidate);
    return names.includes(candidate);
  });
  return { found, tried };
}

/** The task names of the reference's c4 Rakefile. */
const C4 = [
  "setup",
  "only_top",
  "db:setup",
  "db:migrate",
  "db:up",
  "db:full",
  "db:inner:setup",
  "db:inner:go",
  "db:inner:other",
  "app:run",
];

describe("qualify", () => {
  test("joins a scope and a name with ':'", () => {
    expect(qualify([], "setup")).toBe("setup");
    expect(qualify(["db"], "setup")).toBe("db:setup");
    expect(qualify(["db", "inner"], "setup")).toBe("db:inner:setup");
  });
});

describe("resolveName", () => {
  test("a name is looked up in the scope, then each enclosing one, then the top level", () => {
    expect(resolveIn(C4, "setup", ["db", "inner"])).toEqual({ found: "db:inner:setup", tried: ["db:inner:setup"] });
    expect(resolveIn(["db:setup", "setup"], "setup", ["db", "inner"])).toEqual({
      found: "db:setup",
      tried: ["db:inner:setup", "db:setup"],
    });
    expect(resolveIn(["setup"], "setup", ["db", "inner"])).toEqual({
      found: "setup",
      tried: ["db:inner:setup", "db:setup", "setup"],
    });
  });

  test("at the top level only the name itself is tried", () => {
    expect(resolveIn(C4, "setup", [])).toEqual({ found: "setup", tried: ["setup"] });
    // Command-line names are full names: "migrate" does not find db:migrate.
    expect(resolveIn(C4, "migrate", [])).toEqual({ found: undefined, tried: ["migrate"] });
  });

  test("nothing found anywhere → undefined, after trying every scope", () => {
    expect(resolveIn(C4, "nosuch", ["db", "inner"])).toEqual({
      found: undefined,
      tried: ["db:inner:nosuch", "db:nosuch", "nosuch"],
    });
  });

  test("a partly qualified name is tried in each enclosing scope (inner:setup from db:inner)", () => {
    expect(resolveIn(C4, "inner:setup", ["db", "inner"]).found).toBe("db:inner:setup");
    // From app, no enclosing scope has inner:setup (Rake: "Don't know how to build task 'inner:setup'").
    expect(resolveIn(C4, "inner:setup", ["app"]).found).toBeUndefined();
  });

  test("a full name from another namespace", () => {
    expect(resolveIn(C4, "db:migrate", ["app"])).toEqual({ found: "db:migrate", tried: ["app:db:migrate", "db:migrate"] });
    expect(resolveIn(C4, "db:setup", ["db", "inner"]).found).toBe("db:setup");
  });

  test("^ starts one scope further out, and does not look back in", () => {
    expect(resolveIn(C4, "^setup", ["db", "inner"])).toEqual({ found: "db:setup", tried: ["db:setup"] });
    expect(resolveIn(C4, "^^setup", ["db", "inner"])).toEqual({ found: "setup", tried: ["setup"] });
    expect(resolveIn(C4, "^setup", ["db"])).toEqual({ found: "setup", tried: ["setup"] });
    // db:setup exists, but ^ from db starts at the top: only "setup" is a candidate.
    expect(resolveIn(["db:setup"], "^setup", ["db"])).toEqual({ found: undefined, tried: ["setup"] });
  });

  test("^ still falls outwards from the scope it starts in", () => {
    expect(resolveIn(["setup"], "^setup", ["a", "b", "c"])).toEqual({ found: "setup", tried: ["a:b:setup", "a:setup", "setup"] });
  });

  test("more ^ than scopes is harmless: the top level", () => {
    expect(resolveIn(C4, "^^^^setup", ["db", "inner"])).toEqual({ found: "setup", tried: ["setup"] });
    expect(resolveIn(C4, "^setup", [])).toEqual({ found: "setup", tried: ["setup"] });
  });
});

describe("invalidNameReason", () => {
  test.each(["a", "setup", "db:migrate", "db:inner:setup", "a-b", "a.b", "db_x", "10", "Zeta", "ünïcode", "x:y:z"])(
    "%j is a valid name",
    (name) => {
      expect(invalidNameReason(name)).toBeUndefined();
    },
  );

  test("the empty name", () => {
    expect(invalidNameReason("")).toBe("a task name cannot be empty");
  });

  test.each(["a b", "t[x]", "t[", "t]", "a,b", "a::b", ":a", "a:", "^a", "a^b", "A=1", "tab\there", "new\nline", " a"])(
    "%j is not a valid name, and the reason quotes it",
    (name) => {
      const reason = invalidNameReason(name);
      expect(reason).toBeTypeOf("string");
      expect(reason).toContain(`'${name}'`);
    },
  );
});

describe("levenshtein", () => {
  test.each<[string, string, number]>([
    ["", "", 0],
    ["", "abc", 3],
    ["abc", "", 3],
    ["abc", "abc", 0],
    ["migrat", "migrate", 1],
    ["mgirate", "migrate", 2], // a swap is two edits
    ["ab", "ba", 2],
    ["kitten", "sitting", 3],
    ["ca", "abc", 3],
    ["buil", "bulid", 2],
  ])("levenshtein(%j, %j) = %i", (a, b, expected) => {
    expect(levenshtein(a, b)).toBe(expected);
    expect(levenshtein(b, a)).toBe(expected);
  });
});

describe("jaroWinkler (did_you_mean's)", () => {
  test.each<[string, string, number]>([
    ["migrate", "migrate", 1],
    ["db:migrate", "migrate", 0.9],
    ["a", "b", 0],
  ])("jaroWinkler(%j, %j) ≈ %f", (a, b, expected) => {
    expect(jaroWinkler(a, b)).toBeCloseTo(expected, 6);
  });
});

describe("closeMatches, against Rake's suggestions", () => {
  /** The task names of the reference's c3 and c3b Rakefiles, in definition order. */
  const C3 = ["a", "b", "c", "d", "x", "cyc1", "cyc2", "cyc3", "self_loop", "badpre", "deepbad", "migrate", "default"];
  const C3B = ["build", "built", "bulid", "db:migrate", "db:seed"];

  test.each<[string, readonly string[], string[]]>([
    ["migrat", C3, ["migrate"]],
    ["mgirate", C3, ["migrate"]],
    ["nosuch", C3, []],
    ["migrate", C3B, ["db:migrate"]],
    ["db:migrat", C3B, ["db:migrate"]],
    ["db:sed", C3B, ["db:seed"]],
    ["zzz", C3B, []],
    ["migrate", C4, ["db:migrate"]],
    ["inner:setup", C4, ["db:inner:setup"]],
    ["x", [...C4, "x:y"], []],
  ])("%j → %j, as Rake suggests", (wanted, known, expected) => {
    expect(closeMatches(wanted, known)).toEqual(expected);
  });

  test("'buil' → build and built (Rake's tie order is arbitrary), not the two-edit 'bulid'", () => {
    expect([...closeMatches("buil", C3B)].sort()).toEqual(["build", "built"]);
  });

  test("'A' → only 'a' (Rake), not every other one-letter task", () => {
    expect(closeMatches("A", C3)).toEqual(["a"]);
  });

  test("a name differing only in case is suggested", () => {
    expect(closeMatches("Migrate", ["migrate"])).toEqual(["migrate"]);
    expect(closeMatches("DB:SEED", C3B)).toEqual(["db:seed"]);
  });

  test("best first, at most `limit`", () => {
    const known = ["deploys", "redeploy", "deploy", "deployed", "unrelated"];
    const matches = closeMatches("deplyo", known);
    expect(matches[0]).toBe("deploy");
    expect(matches.length).toBeLessThanOrEqual(3);
    expect(matches).not.toContain("unrelated");
    expect(closeMatches("deplyo", known, 1)).toEqual(["deploy"]);
  });

  test("a short last segment far from the full name is not suggested (as did_you_mean decides)", () => {
    expect(closeMatches("seed", ["db:seed", "db:migrate", "build"])).toEqual([]);
  });

  test("no candidates → no suggestions", () => {
    expect(closeMatches("anything", [])).toEqual([]);
  });
});
