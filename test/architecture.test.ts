/**
 * The layers of docs/architecture.md hold: every import in src/ goes to its own layer or one below
 * (scripts/check-layers.mjs, also runnable on its own). And the check itself can fail.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, test } from "vitest";
// @ts-expect-error a plain .mjs script without types
import { importsIn, violations } from "../scripts/check-layers.mjs";
import { REPO_ROOT } from "./helpers/project.js";

type Check = { importsIn: (src: string) => [string, string][]; violations: (src: string) => string[] };
const check = { importsIn, violations } as Check;

describe("the layers", () => {
  test("src/ imports only downwards", () => {
    expect(check.importsIn(join(REPO_ROOT, "src")).length).toBeGreaterThan(200);
    expect(check.violations(join(REPO_ROOT, "src"))).toEqual([]);
  });

  test("an import upwards, of any form, and a file in no layer are reported", () => {
    const src = mkdtempSync(join(tmpdir(), "jt-layers-"));
    const write = (path: string, text: string) => {
      mkdirSync(dirname(join(src, path)), { recursive: true });
      writeFileSync(join(src, path), text);
    };
    try {
      write("registry/names.ts", `import type {\n  Runner,\n} from "../run/runner.js";\nexport { plan } from "../plan/plan.js";\n`);
      write("run/runner.ts", `// import { x } from "../cli/main.js";\nconst main = () => import("../cli/main.js");\n`);
      write("plan/plan.ts", `import "../registry/names.js";\n`);
      write("cli/main.ts", "");
      write("stray/x.ts", `import "../errors.js";\n`);
      write("errors.ts", "");
      expect(check.violations(src).sort()).toEqual([
        "registry/names.ts (registry) imports plan/plan.ts (plan, a layer above it)",
        "registry/names.ts (registry) imports run/runner.ts (run, a layer above it)",
        "run/runner.ts (run) imports cli/main.ts (cli, a layer above it)",
        "stray/x.ts: in no layer (add its folder to LAYERS in scripts/check-layers.mjs and to docs/architecture.md)",
      ]);
    } finally {
      rmSync(src, { recursive: true, force: true });
    }
  });
});
