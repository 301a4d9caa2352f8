// The scenarios test/rake-compare/compare.mjs runs under rake and jt: a Rakefile, the jt task file
// that means the same, the command line, and which differences are deliberate (and why).

const exitTwoNotOne = { status: (rake, jt) => rake === 1 && jt === 2 };
const USAGE = "jt exits 2 for a bad command line, Rake 1";

export const SCENARIOS = [
  {
    name: "listing",
    rakefile: `desc "Say hi"\ntask :hi do puts "hi" end\ndesc "Migrate the database. Then seed it."\ntask :migrate\n`,
    tasks: `import { desc, task } from "jt";\ndesc("Say hi");\ntask("hi", () => console.log("hi"));\ndesc("Migrate the database. Then seed it.");\ntask("migrate");\n`,
    argv: ["-T"],
  },
  {
    name: "prerequisites-once-in-order",
    rakefile: `task :a => [:b, :c] do puts "a" end\ntask :b => :c do puts "b" end\ntask :c do puts "c" end\n`,
    tasks: `import { task } from "jt";\ntask("a", ["b", "c"], () => console.log("a"));\ntask("b", ["c"], () => console.log("b"));\ntask("c", () => console.log("c"));\n`,
    argv: ["a", "c"],
  },
  {
    name: "dry-run",
    rakefile: `task :a => :b do puts "a" end\ntask :b do puts "b" end\n`,
    tasks: `import { task } from "jt";\ntask("a", ["b"], () => console.log("a"));\ntask("b", () => console.log("b"));\n`,
    argv: ["-n", "a"],
  },
  {
    name: "unknown-task",
    rakefile: `task :hi\n`,
    tasks: `import { task } from "jt";\ntask("hi");\n`,
    argv: ["nope"],
    deliberate: exitTwoNotOne,
    why: USAGE,
  },
  {
    name: "unknown-task-close-match",
    rakefile: `task :hi\n`,
    tasks: `import { task } from "jt";\ntask("hi");\n`,
    argv: ["hii"],
    deliberate: exitTwoNotOne,
    why: USAGE,
  },
  {
    name: "invoke-unknown-in-action",
    rakefile: `task :inv do\n  puts "before"\n  Rake::Task["nope"].invoke\nend\n`,
    tasks: `import { task } from "jt";\ntask("inv", async ({ invoke }) => {\n  console.log("before");\n  await invoke("nope");\n});\n`,
    argv: ["inv"],
  },
  {
    name: "prerequisite-reads-caller-args",
    rakefile: `task :t, [:name, :v] => [:pre] do |t, args| puts "t #{args.name}" end\ntask :pre do |t, args| puts "pre sees #{args.name}" end\n`,
    tasks: `import { task } from "jt";\ntask("t", { args: ["name", "v"], deps: ["pre"] }, ({ args }) => console.log(\`t \${args.name}\`));\ntask("pre", ({ args }) => console.log(\`pre sees \${args.lookup("name")}\`));\n`,
    argv: ["t[bill,1.2]"],
  },
  {
    name: "arg-through-argless-task",
    rakefile: `task :d1, [:v] => :d2 do |t, a| puts "d1 #{a.v}" end\ntask :d2 => :d3 do |t, a| puts "d2 own #{a.to_h.size}" end\ntask :d3, [:v] do |t, a| puts "d3 #{a.v}" end\n`,
    tasks: `import { task } from "jt";\ntask("d1", { args: ["v"], deps: ["d2"] }, ({ args }) => console.log(\`d1 \${args.v}\`));\ntask("d2", ["d3"], ({ args }) => console.log(\`d2 own \${Object.keys(args.toObject()).length}\`));\ntask("d3", { args: ["v"] }, ({ args }) => console.log(\`d3 \${args.v}\`));\n`,
    argv: ["d1[x]"],
  },
  {
    name: "args-through-multitask",
    rakefile: `multitask :m, [:name] => [:m1] do end\ntask :m1 do |t, a| puts "m1 #{a.name}" end\n`,
    tasks: `import { multitask, task } from "jt";\nmultitask("m", { args: ["name"], deps: ["m1"] }, () => {});\ntask("m1", ({ args }) => console.log(\`m1 \${args.lookup("name")}\`));\n`,
    argv: ["m[ann]"],
  },
  ...[
    ["-T", "-P"],
    ["-P", "-T"],
    ["-T", "-D"],
    ["-D", "-T", "h"],
  ].map((argv) => ({
    name: `listing-flags ${argv.join(" ")}`,
    rakefile: `desc "Say hi"\ntask :hi => :other\ndesc "Other"\ntask :other\n`,
    tasks: `import { desc, task } from "jt";\ndesc("Say hi");\ntask("hi", ["other"]);\ndesc("Other");\ntask("other");\n`,
    argv,
  })),
  {
    name: "invalid-option",
    rakefile: `task :hi\n`,
    tasks: `import { task } from "jt";\ntask("hi");\n`,
    argv: ["--x", "hi"],
    deliberate: { ...exitTwoNotOne, stderr: (rake, jt) => rake === "invalid option: --x\n" && jt === "jt aborted!\ninvalid option: --x\n(See `jt --help`)\n" },
    why: "jt's usual layout and hint around Rake's words, exit 2",
  },
  {
    name: "sh-echoes-env",
    rakefile: `task :shenv do sh({"RAKE_TEST_SH" => "someval"}, "printenv RAKE_TEST_SH") end\n`,
    tasks: `import { task } from "jt";\ntask("shenv", async ({ sh }) => {\n  await sh({ env: { RAKE_TEST_SH: "someval" } })\`printenv RAKE_TEST_SH\`;\n});\n`,
    argv: ["shenv"],
  },
  {
    name: "nil-prerequisites",
    rakefile: `task :x => nil do puts "x ran" end\n`,
    tasks: `import { task } from "jt";\ntask("x", null as unknown as string[], () => console.log("x ran"));\n`,
    argv: ["x"],
  },
  {
    name: "jobs-without-a-number",
    rakefile: `multitask :m => [:a, :b] do puts "m" end\ntask :a\ntask :b\ntask :default do puts "default" end\n`,
    tasks: `import { multitask, task } from "jt";\nmultitask("m", ["a", "b"], () => console.log("m"));\ntask("a");\ntask("b");\ntask("default", () => console.log("default"));\n`,
    argv: ["-j", "m"],
    deliberate: { stdout: (rake, jt) => rake === "default\n" && jt === "m\n" },
    why: "Rake's -j takes the next word as its value (and ignores it); jt takes only a number",
  },
  {
    name: "exit-code-from-a-task",
    rakefile: `task :ex do exit 5 end\ntask :hi do puts "hi" end\n`,
    tasks: `import { task } from "jt";\ntask("ex", () => {\n  process.exitCode = 5;\n});\ntask("hi", () => console.log("hi"));\n`,
    argv: ["ex", "hi"],
    deliberate: { stdout: (rake, jt) => rake === "" && jt === "hi\n" },
    why: "Node's process.exitCode does not stop a script, so the run goes on; the exit code is the same",
  },
  {
    name: "reenable-per-tenant",
    rakefile: `task :prep do puts "prep" end\ntask :tenant, [:name] => :prep do |t, a| puts "tenant #{a.name}" end\ntask :all do\n  %w[a b].each { |n| Rake::Task["tenant"].invoke(n); Rake::Task["tenant"].reenable }\nend\n`,
    tasks: `import { task } from "jt";\ntask("prep", () => console.log("prep"));\ntask("tenant", { args: ["name"], deps: ["prep"] }, ({ args }) => console.log(\`tenant \${args.name}\`));\ntask("all", async ({ invoke, reenable }) => {\n  for (const n of ["a", "b"]) {\n    await invoke("tenant", n);\n    reenable("tenant");\n  }\n});\n`,
    argv: ["--trace", "all"],
  },
  {
    name: "execute-actions-only",
    rakefile: `task :prep do puts "prep" end\ntask :tenant, [:name] => :prep do |t, a| puts "tenant #{a.name}" end\ntask :ex do\n  Rake::Task["tenant"].execute(Rake::TaskArguments.new([:name], ["x"]))\n  Rake::Task["tenant"].invoke("z")\n  Rake::Task["tenant"].invoke("w")\nend\n`,
    tasks: `import { task } from "jt";\ntask("prep", () => console.log("prep"));\ntask("tenant", { args: ["name"], deps: ["prep"] }, ({ args }) => console.log(\`tenant \${args.name}\`));\ntask("ex", async ({ execute, invoke }) => {\n  await execute("tenant", "x");\n  await invoke("tenant", "z");\n  await invoke("tenant", "w");\n});\n`,
    argv: ["--trace", "ex"],
  },
  {
    name: "clear-actions-and-replace",
    rakefile: `task :prep do puts "prep" end\ndesc "Seed"\ntask :seed => :prep do puts "package seed" end\nRake::Task["seed"].clear_actions\ntask :seed do puts "app seed" end\n`,
    tasks: `import { clearTask, desc, task } from "jt";\ntask("prep", () => console.log("prep"));\ndesc("Seed");\ntask("seed", ["prep"], () => console.log("package seed"));\nclearTask("seed", "actions");\ntask("seed", () => console.log("app seed"));\n`,
    argv: ["seed"],
  },
  {
    name: "clear-silences",
    rakefile: `task :prep do puts "prep" end\ndesc "Noisy"\ntask :noisy => :prep do puts "noisy" end\nRake::Task["noisy"].clear\ndesc "Other"\ntask :other\n`,
    tasks: `import { clearTask, desc, task } from "jt";\ntask("prep", () => console.log("prep"));\ndesc("Noisy");\ntask("noisy", ["prep"], () => console.log("noisy"));\nclearTask("noisy");\ndesc("Other");\ntask("other");\n`,
    argv: ["-T"],
  },
  {
    name: "clear-silences-run",
    rakefile: `task :prep do puts "prep" end\ntask :noisy => :prep do puts "noisy" end\nRake::Task["noisy"].clear\ntask :after => :noisy do puts "after" end\n`,
    tasks: `import { clearTask, task } from "jt";\ntask("prep", () => console.log("prep"));\ntask("noisy", ["prep"], () => console.log("noisy"));\nclearTask("noisy");\ntask("after", ["noisy"], () => console.log("after"));\n`,
    argv: ["after"],
  },
  {
    name: "trace-to-stdout",
    rakefile: `task :a => :b do puts "a" end\ntask :b do puts "b" end\n`,
    tasks: `import { task } from "jt";\ntask("a", ["b"], () => console.log("a"));\ntask("b", () => console.log("b"));\n`,
    argv: ["--trace=stdout", "a"],
  },
  ...[["-W", "--comments"], ["--comments", "-W"]].map((argv) => ({
    name: `where ${argv.join(" ")}`,
    rakefile: `desc "Say hi"\ntask :hi\ntask :quiet\n`,
    tasks: `import { desc, task } from "jt";\ndesc("Say hi");\ntask("hi");\ntask("quiet");\n`,
    argv,
  })),
  {
    name: "no-search",
    rakefile: `task :hi\n`,
    tasks: `import { task } from "jt";\ntask("hi");\n`,
    argv: ["-N", "hi"],
  },
];
