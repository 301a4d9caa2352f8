/**
 * Tasks marked `confirm: "question"` ask before they run when NODE_ENV=production: before the
 * run starts for the tasks it plans, and before a `ctx.invoke` for the ones that brings in.
 * Never a silent skip, never a wait for input that cannot come.
 */
import { createInterface } from "node:readline/promises";
import { Interrupted, NotConfirmed, UsageError } from "../errors.js";
import type { Plan } from "../plan/plan.js";
import type { TaskDefinition } from "../registry/task.js";

export interface ConfirmOptions {
  /** `--yes` was given. */
  yes: boolean;
  env: NodeJS.ProcessEnv;
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  output: NodeJS.WritableStream;
}

/** Returns a check to run before executing a plan; each task is asked about at most once. */
export function confirmation(options: ConfirmOptions): (planned: Plan) => Promise<void> {
  const answered = new Set<TaskDefinition>();
  return async (planned) => {
    if (options.yes || options.env.NODE_ENV !== "production") return;
    const tasks = planned.steps.flatMap((step) =>
      step.kind === "execute" && step.planned.task.confirm !== undefined && !answered.has(step.planned.task) ? [step.planned.task] : [],
    );
    if (tasks.length === 0) return;
    if (!options.input.isTTY) {
      const [first] = tasks;
      throw new UsageError(
        `Task '${first!.name}' asks "${first!.confirm}" before it runs in production, and there is no terminal to ask on`,
        ["Pass --yes to confirm (nothing has run)"],
      );
    }
    const prompt = createInterface({ input: options.input, output: options.output });
    try {
      for (const task of tasks) {
        if (!isYes(await ask(prompt, `${task.confirm} (${task.name}, NODE_ENV=production) [y/N] `)))
          throw new NotConfirmed(`Not confirmed: ${task.name} did not run, and nor did anything else`);
        answered.add(task);
      }
    } finally {
      prompt.close();
    }
  };
}

/** Asks one yes/no question on a terminal; only "y" or "yes" is yes (Ctrl-C: an interrupt). */
export async function askYesNo(question: string, input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Promise<boolean> {
  const prompt = createInterface({ input, output });
  try {
    return isYes(await ask(prompt, question));
  } finally {
    prompt.close();
  }
}

function isYes(answer: string): boolean {
  return /^y(es)?$/i.test(answer.trim());
}

async function ask(prompt: ReturnType<typeof createInterface>, question: string): Promise<string> {
  try {
    return await prompt.question(question);
  } catch (error) {
    // readline gives up on Ctrl-C / Ctrl-D at the prompt: an interrupt, and an empty answer.
    if (error instanceof Error && error.name === "AbortError") {
      if (error.message.includes("Ctrl+C")) throw new Interrupted("SIGINT");
      return "";
    }
    throw error;
  }
}
