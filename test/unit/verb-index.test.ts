/** Where the verb is on a command line whose options may come first (issue 21 §1). */
import { describe, expect, test } from "vitest";
import { verbIndex } from "../../src/cli/parse.js";
import { JOBS_VERBS } from "../../src/jobs/verbs.js";

describe("verbIndex", () => {
  test.each<[string[], number | undefined]>([
    [["jobs:work"], 0],
    [["-C", "api", "jobs:work"], 2],
    [["-Capi", "jobs:work"], 1],
    [["--directory=api", "jobs:work"], 1],
    [["--directory", "api", "--trace", "jobs:work"], 3],
    [["-tC", "api", "jobs:work"], 2],
    [["-Ct", "jobs:work"], 1], // -C's value is "t"
    [["--queues", "mail", "jobs:work"], 2],
    [["--concurrency", "2", "-q", "jobs:workoff"], 3],
    [["-j", "4", "build"], 2],
    [["-T", "db", "-A"], undefined], // -T's pattern, then options only
    [["-T", "-A"], undefined],
    [["-T", "--", "jobs:list"], 2],
    [["FOO=1", "-C", "api", "jobs:stats"], 3],
    [["--trace", "db:migrate", "jobs:list"], 1], // the first word is the verb; the rest are its words
    [[], undefined],
  ])("%j → %s", (argv, index) => {
    expect(verbIndex(argv)).toBe(index);
  });

  test("a spelling takes a value for every verb or for none, so one scan serves them all", () => {
    const arity = new Map<string, boolean>();
    for (const option of JOBS_VERBS.flatMap((verb) => verb.options)) {
      for (const spelling of [option.long, option.short].filter((s) => s !== undefined)) {
        const takesValue = option.argument !== undefined;
        expect(arity.get(spelling) ?? takesValue, spelling).toBe(takesValue);
        arity.set(spelling, takesValue);
      }
    }
  });
});
