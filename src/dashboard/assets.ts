/** The chart library's files (uPlot), read from its package once and served by the dashboard itself: no CDN, no build step. */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const cache = new Map<string, string>();

function read(file: string): string {
  let text = cache.get(file);
  if (text === undefined) {
    text = readFileSync(require.resolve(`uplot/dist/${file}`), "utf8");
    cache.set(file, text);
  }
  return text;
}

export const chartScript = (): string => read("uPlot.iife.min.js");
export const chartStyle = (): string => read("uPlot.min.css");
