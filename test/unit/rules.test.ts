import { describe, expect, test } from "vitest";
import { pathmap, rulePattern, ruleSources, sourcesFor, withExtension, type Rule } from "../../src/registry/rules.js";

const ruleOf = (pattern: string | RegExp, sources: unknown): Rule => {
  const compiled = rulePattern(pattern);
  return { pattern: compiled, sources: ruleSources(compiled, sources), action: undefined, location: undefined };
};

describe("rule patterns", () => {
  test("a string matches names that end with it, its dots literal", () => {
    expect(rulePattern(".o").test("main.o")).toBe(true);
    expect(rulePattern(".o").test("main.oo")).toBe(false);
    expect(rulePattern(".o").test("mainxo")).toBe(false);
    expect(rulePattern("(x)").test("a(x)")).toBe(true);
  });

  test("a RegExp is used as it is; anything else is refused, naming rule()", () => {
    expect(rulePattern(/^out\//).test("out/a")).toBe(true);
    expect(() => rulePattern("")).toThrow(/rule\(\) takes a pattern/);
    expect(() => rulePattern(3)).toThrow(/rule\(\) takes a pattern, a file ending like "\.o" or a RegExp, not 3/);
  });
});

describe("a rule's sources for a name (Rake's make_sources)", () => {
  test('".c" swaps what the pattern matched, or the extension when the pattern is the whole name', () => {
    expect(sourcesFor(ruleOf(".o", ".c"), "src/main.o")).toEqual(["src/main.c"]);
    expect(sourcesFor(ruleOf(/^obj\/.*\.o$/, [".c"]), "obj/x.o")).toEqual(["obj/x.c"]);
    expect(sourcesFor(ruleOf(".tar.gz", [".tar"]), "a.tar.gz")).toEqual(["a.tar"]);
  });

  test("a path map, a path with a slash, a plain name, a function (one name or several), in order", () => {
    expect(sourcesFor(ruleOf(".o", ["src/%n.c", "include/common.h", "Makefile", (n: string) => [`${n}.d`, "x"]]), "build/a.o")).toEqual([
      "src/a.c",
      "include/common.h",
      "Makefile",
      "build/a.o.d",
      "x",
    ]);
  });

  test("a function that gives no file name is a definition error naming the rule and the name", () => {
    expect(() => sourcesFor(ruleOf(".o", [() => 42]), "a.o")).toThrow(
      "A source function of rule /\\.o$/ gave 42 for 'a.o', not a file name",
    );
  });

  test("a source that is neither is refused where the rule is written", () => {
    expect(() => ruleOf(".o", [3])).toThrow(
      /a source must be a file ending like "\.c", a path, a "%"-path map or a function of the name, not 3/,
    );
    expect(() => ruleOf(".o", ["%q.c"])).toThrow("Unknown path map spec '%q' in \"%q.c\"");
  });
});

describe("Rake's pathmap and ext", () => {
  test.each([
    ["%p", "src/lib/a.rb"],
    ["%f", "a.rb"],
    ["%n", "a"],
    ["%d", "src/lib"],
    ["%x", ".rb"],
    ["%X", "src/lib/a"],
    ["out/%n.o 100%%", "out/a.o 100%"],
  ])("%s of src/lib/a.rb is %s", (spec, expected) => {
    expect(pathmap("src/lib/a.rb", spec)).toBe(expected);
  });

  test("%{pattern,replacement} substitutes in that part (each ;-separated pair, first match)", () => {
    expect(pathmap("xbc.o", "zz%{x,a}n.c")).toBe("zzabc.c");
    expect(pathmap("classes/jw/X.class", "%{classes,src;jw,java}d/%n.java")).toBe("src/java/X.java");
    expect(() => pathmap("a", "%{x}n")).toThrow("Path map substitution 'x' in \"%{x}n\" needs the form pattern,replacement");
    expect(() => pathmap("a", "%{(,b}n")).toThrow("'(' is not a valid regular expression");
  });

  test("%d of a bare name is '.', and ext adds an extension where there is none", () => {
    expect(pathmap("a.rb", "%d/%n.o")).toBe("./a.o");
    expect(withExtension("Makefile", ".bak")).toBe("Makefile.bak");
    expect(withExtension("dir.d/file", ".c")).toBe("dir.d/file.c");
  });
});
