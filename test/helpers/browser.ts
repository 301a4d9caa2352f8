/**
 * A real browser for the dashboard's tests: Debian's chromium, driven by playwright-core through
 * its executablePath (Playwright's own browser download cannot run on these machines; .ci/run
 * installs the package). JT_CHROMIUM points elsewhere.
 */
import { existsSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";

export const CHROMIUM = process.env.JT_CHROMIUM ?? "/usr/bin/chromium";

let shared: Promise<Browser> | undefined;

/** One browser for the test file (each test gets its own context: no cookies shared). */
export function browser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No chromium at ${CHROMIUM}: install Debian's package (apt-get install chromium) or set JT_CHROMIUM`);
  }
  shared ??= chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
  return shared;
}

export async function closeBrowser(): Promise<void> {
  if (shared) await (await shared).close();
  shared = undefined;
}

export interface OpenPage {
  page: Page;
  /** Script errors, console errors and dialogs (an alert() an XSS payload would open) seen so far. */
  problems: string[];
  close(): Promise<void>;
}

export async function openPage(options: { httpCredentials?: { username: string; password: string } } = {}): Promise<OpenPage> {
  const context = await (await browser()).newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console error: ${message.text()}`);
  });
  page.on("dialog", (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return { page, problems, close: () => context.close() };
}
