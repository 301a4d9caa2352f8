/**
 * The bracket parser against Rake 13.0.6's `parse_task_string`. The table is 30 inputs run
 * through Ruby's Rake, with the outputs it gave written next to each.
 * Where Rake's pattern does not match (so Rake takes the whole word as a task name, which
 * then is unknown), jt reports malformed brackets instead: `parseTarget` returns undefined.
 */
import { describe, expect, test } from "vitest";
import { formatTarget, joinSplitTargets, parseTarget } from "../../src/args/brackets.js";

/** [input, name, values] as Ruby printed them. */
const RUBY: [input: string, name: string, values: string[]][] = [
  ["t", "t", []],
  ["t[]", "t", []],
  ["t[a]", "t", ["a"]],
  ["t[a,b]", "t", ["a", "b"]],
  ["t[a, b]", "t", ["a", "b"]],
  ["t[ a , b ]", "t", ["a", "b"]],
  ["t[a,]", "t", ["a", ""]],
  ["t[a, ]", "t", ["a", ""]],
  ["t[,]", "t", ["", ""]],
  ["t[,,]", "t", ["", "", ""]],
  ["t[ ]", "t", [""]],
  ["t[a\\,b,c]", "t", ["a,b", "c"]],
  ["t[a\\\\,b]", "t", ["a\\", "b"]],
  ["t[a\\]", "t", [""]],
  ["t[a\\b]", "t", ["ab"]],
  ["t[a][b]", "t", ["a][b"]],
  ["t[a]]", "t", ["a]"]],
  ["t[[a]", "t", ["[a"]],
  ["[a]", "[a]", []],
  ["t[a", "t[a", []],
  ["t[a]b", "t[a]b", []],
  ["ns:t[x]", "ns:t", ["x"]],
  ["t[a b,c]", "t", ["a b", "c"]],
  ['t["a,b"]', "t", ['"a', 'b"']],
  ["t[a,b\\ ]", "t", ["a", "b "]],
  ["t[a\tb]", "t", ["a\tb"]],
  ["t[\ta ,\tb\t]", "t", ["a", "b"]],
  ["t[a\\\\]", "t", ["a\\"]],
  ["t[\\\\,x]", "t", ["\\", "x"]],
  ["t[a,b\\]", "t", ["a", ""]],
];

describe("parseTarget (Rake's parse_task_string)", () => {
  test("the oracle table has the 30 cases of the Rake reference", () => {
    expect(RUBY).toHaveLength(30);
  });

  const wellFormed = RUBY.filter(([, name]) => !name.includes("["));
  const malformed = RUBY.filter(([, name]) => name.includes("["));

  test.each(wellFormed)("%j → Rake's name and values", (input, name, values) => {
    expect(parseTarget(input)).toEqual({ name, values });
  });

  test.each(malformed)("%j (Rake: a task name containing '[') → malformed", (input) => {
    expect(parseTarget(input)).toBeUndefined();
  });

  test("more malformed words: an unclosed '[', or text after the closing ']'", () => {
    for (const word of ["t[a,b", "t[", "t[a]b", "[]", "ns:t[a", "t]a[", "t[a] "]) {
      expect(parseTarget(word), word).toBeUndefined();
    }
  });

  test("names pass through untouched, colons and dots included", () => {
    expect(parseTarget("db:migrate")).toEqual({ name: "db:migrate", values: [] });
    expect(parseTarget("a.b-c_d")).toEqual({ name: "a.b-c_d", values: [] });
    expect(parseTarget("db:seed[file.sql]")).toEqual({ name: "db:seed", values: ["file.sql"] });
  });

  test("values keep '=', quotes and inner spaces (there is no quoting)", () => {
    expect(parseTarget("t[a=1,b]")).toEqual({ name: "t", values: ["a=1", "b"] });
    expect(parseTarget('t[a,"b c"]')).toEqual({ name: "t", values: ["a", '"b c"'] });
    expect(parseTarget("t[  many   words  ]")).toEqual({ name: "t", values: ["many   words"] });
  });

  test("an escaped space keeps surrounding whitespace that trimming would drop", () => {
    expect(parseTarget("t[\\ a]")).toEqual({ name: "t", values: [" a"] });
    expect(parseTarget("t[a\\ ]")).toEqual({ name: "t", values: ["a "] });
  });

  test("many values, in order", () => {
    const values = Array.from({ length: 50 }, (_, i) => `v${i}`);
    expect(parseTarget(`t[${values.join(", ")}]`)).toEqual({ name: "t", values });
  });
});

describe("formatTarget (the inverse of parseTarget)", () => {
  test("no values → the bare name", () => {
    expect(formatTarget("db:migrate", [])).toBe("db:migrate");
  });

  test("commas and backslashes are escaped", () => {
    expect(formatTarget("t", ["a,b", "c\\d"])).toBe("t[a\\,b,c\\\\d]");
  });

  test.each<[string[]]>([[["a", "b"]], [["a,b", "c"]], [["a\\", "b"]], [["x,y", "z\\,"]], [["a]", "[b"]], [["a", ""]], [["", "b"]]])(
    "round-trips %j",
    (values) => {
      expect(parseTarget(formatTarget("t", values))).toEqual({ name: "t", values });
    },
  );

  test.each<[string[]]>([[[""]], [[" a "]], [["\t"]], [["a", " b"]]])(
    "round-trips values that trimming or `name[]` would lose: %j",
    (values) => {
      expect(parseTarget(formatTarget("t", values))).toEqual({ name: "t", values });
    },
  );
});

describe("joinSplitTargets: a target the shell split at spaces is one word again", () => {
  test.each<[string[], string[]]>([
    [["users:load[alice,", "bob]"], ["users:load[alice, bob]"]],
    [
      ["users:load[", "alice,bob]", "db:seed"],
      ["users:load[ alice,bob]", "db:seed"],
    ],
    [["users:create[zoe,", "Zoe", "Zimmer]"], ["users:create[zoe, Zoe Zimmer]"]],
    [
      ["a[b]", "c"],
      ["a[b]", "c"],
    ],
    [
      ["a[", "b", "c[d]"],
      ["a[", "b", "c[d]"],
    ],
    [
      ["a[", "b"],
      ["a[", "b"],
    ],
    [
      ["NAME=x[", "y]"],
      ["NAME=x[", "y]"],
    ],
    [
      ["t[a]]", "b]"],
      ["t[a]]", "b]"],
    ],
  ])("%j → %j", (words, joined) => expect(joinSplitTargets(words)).toEqual(joined));

  test("what the joined word means: the values of the quoted form", () => {
    expect(parseTarget(joinSplitTargets(["users:load[", "alice,bob]"])[0]!)).toEqual({ name: "users:load", values: ["alice", "bob"] });
  });
});
