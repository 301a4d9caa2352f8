/**
 * Bracket args end to end, as Rake parses and passes them (rake 13's parse_task_string and TaskArguments): the
 * real bin/jt.js in a temp project whose tasks print what they received.
 *
 * To keep this file to a few processes, every case gets its own copies of the tasks
 * (`t_3`, `parent_7`, `child_same_7`, …) and one jt run executes all the cases at once;
 * each test then checks the lines of its own case, with the `_<n>` suffix removed.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { sharedProject, type RunResult } from "./helpers/project.js";
import { lines, stackLines } from "./helpers/text.js";

/** One test: the words given (task names without suffix), and the lines expected. */
interface Case {
  title: string;
  words: string[];
  expected: string[];
}

const CASES: Case[] = [
  {
    title: "t[a,b]: two values",
    words: ["t[a,b]"],
    expected: ['t first="a" second="b" toArray=["a","b"] extras=[] toObject={first:"a",second:"b"}'],
  },
  {
    title: "t[a, b]: spaces after the comma are trimmed",
    words: ["t[a, b]"],
    expected: ['t first="a" second="b" toArray=["a","b"] extras=[] toObject={first:"a",second:"b"}'],
  },
  {
    title: "t[ a , b ]: spaces around each value are trimmed",
    words: ["t[ a , b ]"],
    expected: ['t first="a" second="b" toArray=["a","b"] extras=[] toObject={first:"a",second:"b"}'],
  },
  {
    title: "t[a\\,b,c]: an escaped comma is part of the value",
    words: ["t[a\\,b,c]"],
    expected: ['t first="a,b" second="c" toArray=["a,b","c"] extras=[] toObject={first:"a,b",second:"c"}'],
  },
  {
    title: "t[]: no args",
    words: ["t[]"],
    expected: ["t first=undefined second=undefined toArray=[] extras=[] toObject={}"],
  },
  {
    title: "t: no args",
    words: ["t"],
    expected: ["t first=undefined second=undefined toArray=[] extras=[] toObject={}"],
  },
  {
    title: "t[ ]: one empty value, which counts as not given",
    words: ["t[ ]"],
    expected: ['t first=undefined second=undefined toArray=[""] extras=[] toObject={}'],
  },
  {
    title: "t[a,]: the trailing empty value is not given",
    words: ["t[a,]"],
    expected: ['t first="a" second=undefined toArray=["a",""] extras=[] toObject={first:"a"}'],
  },
  {
    title: "t[,b]: the leading empty value is not given",
    words: ["t[,b]"],
    expected: ['t first=undefined second="b" toArray=["","b"] extras=[] toObject={second:"b"}'],
  },
  {
    title: "t[a]: the missing value is undefined, and absent from toObject()",
    words: ["t[a]"],
    expected: ['t first="a" second=undefined toArray=["a"] extras=[] toObject={first:"a"}'],
  },
  {
    title: "t[a,b,c,d]: surplus values are extras; toArray() has every value, in order",
    words: ["t[a,b,c,d]"],
    expected: ['t first="a" second="b" toArray=["a","b","c","d"] extras=["c","d"] toObject={first:"a",second:"b"}'],
  },
  {
    title: "t[a,,c]: an empty value in the middle is not given; c is extra",
    words: ["t[a,,c]"],
    expected: ['t first="a" second=undefined toArray=["a","","c"] extras=["c"] toObject={first:"a"}'],
  },
  {
    title: "noargs[1,2]: a task without args gets every value as extras",
    words: ["noargs[1,2]"],
    expected: ['noargs toArray=["1","2"] extras=["1","2"] toObject={}'],
  },
  {
    title: "t[a=1,\"b c\"]: values are raw ('=' and quotes kept)",
    words: ['t[a=1,"b c"]'],
    expected: ['t first="a=1" second="\\"b c\\"" toArray=["a=1","\\"b c\\""] extras=[] toObject={first:"a=1",second:"\\"b c\\""}'],
  },
  {
    title: "t[a][b]: the last ']' closes the list (one value)",
    words: ["tt[a][b]"],
    expected: ['tt first="a][b" second=undefined toArray=["a][b"] extras=[]'],
  },
  {
    title: "ns:t[x1]: a namespaced task takes args",
    words: ["ns:t[x1]"],
    expected: ['ns:t x="x1" toArray=["x1"] extras=[] toObject={x:"x1"}'],
  },
  {
    title: "defs: defaults fill every missing value",
    words: ["defs"],
    expected: ['defs a="A-default" b="B-default" toArray=[] extras=[] toObject={a:"A-default",b:"B-default"}'],
  },
  {
    title: "defs[x]: a given value wins over its default",
    words: ["defs[x]"],
    expected: ['defs a="x" b="B-default" toArray=["x"] extras=[] toObject={a:"x",b:"B-default"}'],
  },
  {
    title: "defs[,y]: an empty value takes the default (toArray() stays raw)",
    words: ["defs[,y]"],
    expected: ['defs a="A-default" b="y" toArray=["","y"] extras=[] toObject={a:"A-default",b:"y"}'],
  },
  {
    title: "load[admins,alice,bob]: a rest arg is a string[] of the remaining values; extras is then empty",
    words: ["load[admins,alice,bob]"],
    expected: [
      'load group="admins" users=["alice","bob"] toArray=["admins","alice","bob"] extras=[] toObject={group:"admins",users:["alice","bob"]}',
    ],
  },
  {
    title: "load[admins]: a rest arg with nothing left is []",
    words: ["load[admins]"],
    expected: ['load group="admins" users=[] toArray=["admins"] extras=[] toObject={group:"admins",users:[]}'],
  },
  {
    title: "load: no values at all",
    words: ["load"],
    expected: ["load group=undefined users=[] toArray=[] extras=[] toObject={users:[]}"],
  },
  {
    title: "parent[1,2,3]: a prerequisite declaring the same names gets the values; other names get undefined; all get the extras",
    words: ["parent[1,2,3]"],
    expected: [
      'child_same first="1" second="2" extras=["3"]',
      'child_other x=undefined extras=["3"]',
      'child_none extras=["3"]',
      'parent first="1" second="2" extras=["3"]',
    ],
  },
  {
    title: "parent[1]: a missing value flows as undefined",
    words: ["parent[1]"],
    expected: [
      'child_same first="1" second=undefined extras=[]',
      "child_other x=undefined extras=[]",
      "child_none extras=[]",
      'parent first="1" second=undefined extras=[]',
    ],
  },
  {
    title: "parent[,2]: an empty value flows as not given",
    words: ["parent[,2]"],
    expected: [
      'child_same first=undefined second="2" extras=[]',
      "child_other x=undefined extras=[]",
      "child_none extras=[]",
      'parent first=undefined second="2" extras=[]',
    ],
  },
  {
    title: "parent_def[1]: the caller's value wins over the prerequisite's default",
    words: ["parent_def[1]"],
    expected: ['child_def first="1" extras=[]', 'parent_def first="1" extras=[]'],
  },
  {
    title: "parent_def: the prerequisite's default fills what the caller lacks",
    words: ["parent_def"],
    expected: ['child_def first="F" extras=[]', "parent_def first=undefined extras=[]"],
  },
  {
    title: "t[a] t[b]: a task runs once per run, with the args of its first invocation",
    words: ["tt[a]", "tt[b]"],
    expected: ['tt first="a" second=undefined toArray=["a"] extras=[]'],
  },
];

/**
 * `show(...)` prints `name first="a" second=undefined toArray=["a"] extras=[] toObject={first:"a"}`;
 * `noObject(...)` the same without toObject; `brief(...)` without toArray and toObject.
 * toObject lists every own key, so a key present with an undefined value shows as `second:undefined`.
 */
const ARGS_TASKS = `
import { namespace, task } from "jt";

const fmt = (v: unknown) => (v === undefined ? "undefined" : JSON.stringify(v));
const named = (names: string[], args: any) => names.map((n) => \` \${n}=\${fmt(args[n])}\`).join("");
const show = (...names: string[]) => ({ name, args }: any) => {
  const obj = Object.entries(args.toObject()).map(([k, v]) => \`\${k}:\${fmt(v)}\`).join(",");
  console.log(\`\${name}\${named(names, args)} toArray=\${fmt(args.toArray())} extras=\${fmt(args.extras)} toObject={\${obj}}\`);
};
const noObject = (...names: string[]) => ({ name, args }: any) =>
  console.log(\`\${name}\${named(names, args)} toArray=\${fmt(args.toArray())} extras=\${fmt(args.extras)}\`);
const brief = (...names: string[]) => ({ name, args }: any) => console.log(\`\${name}\${named(names, args)} extras=\${fmt(args.extras)}\`);

for (let i = 0; i < ${CASES.length}; i++) {
  task(\`t_\${i}\`, { args: ["first", "second"] }, show("first", "second"));
  task(\`tt_\${i}\`, { args: ["first", "second"] }, noObject("first", "second"));
  task(\`noargs_\${i}\`, show());
  task(\`defs_\${i}\`, { args: ["a", "b"], defaults: { a: "A-default", b: "B-default" } }, show("a", "b"));
  task(\`load_\${i}\`, { args: ["group", "users..."] }, show("group", "users"));
  namespace("ns", () => task(\`t_\${i}\`, { args: ["x"] }, show("x")));

  task(\`child_same_\${i}\`, { args: ["first", "second"] }, brief("first", "second"));
  task(\`child_other_\${i}\`, { args: ["x"] }, brief("x"));
  task(\`child_none_\${i}\`, brief());
  task(\`parent_\${i}\`, { args: ["first", "second"], deps: [\`child_same_\${i}\`, \`child_other_\${i}\`, \`child_none_\${i}\`] }, brief("first", "second"));
  task(\`child_def_\${i}\`, { args: ["first"], defaults: { first: "F" } }, brief("first"));
  task(\`parent_def_\${i}\`, { args: ["first"], deps: [\`child_def_\${i}\`] }, brief("first"));
}
task("ok", () => console.log("ok ran"));
`;

/** `t[a,b]` for case 3 → `t_3[a,b]`. */
function numbered(word: string, index: number): string {
  return word.replace(/^[\w:]+/, (name) => `${name}_${index}`);
}

describe("bracket args", () => {
  const p = sharedProject({ "tasks/args.ts": ARGS_TASKS });
  let all: RunResult;
  const byCase = new Map<number, string[]>();

  beforeAll(async () => {
    all = await p.run(CASES.flatMap((c, i) => c.words.map((w) => numbered(w, i))));
    for (const line of all.stdout.split("\n").filter(Boolean)) {
      const match = /^(\S+?)_(\d+)( .*|)$/.exec(line);
      if (!match) continue;
      const index = Number(match[2]);
      byCase.set(index, [...(byCase.get(index) ?? []), `${match[1]}${match[3]}`]);
    }
  });

  test("one run of every case succeeds, silently on stderr", () => {
    expect({ code: all.code, stderr: all.stderr }).toEqual({ code: 0, stderr: "" });
  });

  CASES.forEach((c, index) => {
    test(c.title, () => {
      expect(byCase.get(index) ?? []).toEqual(c.expected);
    });
  });
});

describe.concurrent("bracket args, in runs of their own", () => {
  const p = sharedProject({ "tasks/args.ts": ARGS_TASKS });

  test("jt 't[a]' 't[b]' runs t once, with a", async ({ expect }) => {
    const result = await p.run(["tt_0[a]", "tt_0[b]"]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toBe(lines('tt_0 first="a" second=undefined toArray=["a"] extras=[]'));
  });

  test.for(["t_0[a,b", "t_0[a]b"])("malformed %s: exit 2, jt aborted!, the word named, nothing runs", async (word, { expect }) => {
    const result = await p.run(["ok", word]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    const [first, second] = result.stderr.split("\n");
    expect(first).toBe("jt aborted!");
    expect(second).toContain(`'${word}'`);
    expect(stackLines(result.stderr)).toEqual([]);
  });
});

/** Rake's TaskArguments parent: a name a prerequisite does not have is its caller's (test_rake_task_arguments.rb). */
const CALLER_TASKS = `
import { multitask, task } from "jt";

const fmt = (v: unknown) => (v === undefined ? "undefined" : JSON.stringify(v));
task("t", { args: ["name", "v"], deps: ["pre"] }, ({ args }) => console.log(\`t name=\${fmt(args.name)}\`));
task("pre", ({ args }) =>
  console.log(\`pre lookup=\${fmt(args.lookup("name"))} property=\${fmt((args as Record<string, unknown>).name)} toObject=\${fmt(args.toObject())}\`),
);
task("d1", { args: ["v"], deps: ["d2"] }, ({ args }) => console.log(\`d1 v=\${fmt(args.v)}\`));
task("d2", { deps: ["d3"] }, ({ args }) => console.log(\`d2 toObject=\${fmt(args.toObject())} lookup=\${fmt(args.lookup("v"))}\`));
task("d3", { args: ["v"] }, ({ args }) => console.log(\`d3 v=\${fmt(args.v)}\`));
task("own", { args: ["v"], defaults: { v: "own-default" } }, ({ args }) => console.log(\`own v=\${fmt(args.v)} lookup=\${fmt(args.lookup("v"))}\`));
task("above", { args: ["v"], deps: ["own"] }, () => {});
task("reserved", ({ args }) => console.log(\`reserved lookup=\${fmt(args.lookup("extras"))}\`));
task("m1", ({ args }) => console.log(\`m1 name=\${fmt(args.lookup("name"))}\`));
task("m2", ({ args }) => console.log(\`m2 name=\${fmt(args.lookup("name"))}\`));
multitask("m", { args: ["name"], deps: ["m1", "m2"] }, () => {});
`;

describe.concurrent("a prerequisite reads its caller's args by name, as in Rake", () => {
  const p = sharedProject({ "tasks/caller.ts": CALLER_TASKS });

  test("t[bill,1.2] => pre (declares nothing): pre sees name, by lookup() and as a property; its own toObject() stays empty", async ({
    expect,
  }) => {
    expect(await p.run(["t[bill,1.2]"])).toEqual({
      code: 0,
      signal: null,
      stdout: lines('pre lookup="bill" property="bill" toObject={}', 't name="bill"'),
      stderr: "",
    });
  });

  test("d1[x] => d2 => d3[v]: the value passes by name through a task in between that declares nothing", async ({ expect }) => {
    expect(await p.run(["d1[x]"])).toEqual({
      code: 0,
      signal: null,
      stdout: lines('d3 v="x"', 'd2 toObject={} lookup="x"', 'd1 v="x"'),
      stderr: "",
    });
  });

  test("a task's own value (its default included) wins over its caller's; lookup() of a method name is undefined", async ({ expect }) => {
    expect(await p.run(["above", "reserved"])).toMatchObject({
      code: 0,
      stdout: lines('own v="own-default" lookup="own-default"', "reserved lookup=undefined"),
    });
    expect(await p.run(["above[given]"])).toMatchObject({ code: 0, stdout: lines('own v="given" lookup="given"') });
  });

  test("through a multitask, each concurrent prerequisite sees the caller's args; run alone, nothing", async ({ expect }) => {
    const result = await p.run(["m[ann]"]);
    expect(result.code).toBe(0);
    expect(
      result.stdout
        .split("\n")
        .filter(Boolean)
        .map((line) => line.replace(/^\[\w+\] /, ""))
        .sort(),
    ).toEqual(['m1 name="ann"', 'm2 name="ann"']);
    expect(await p.run(["m1"])).toMatchObject({ code: 0, stdout: lines("m1 name=undefined") });
  });
});
