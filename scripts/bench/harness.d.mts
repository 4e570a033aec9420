/** Types for scripts/bench/harness.mjs, so TypeScript tests can import it. */

export function shellQuote(value: string): string;
export function oursTemplates(nodePath: string, cairnBin: string): Record<string, string>;
export function harnessEnv(baseEnv: NodeJS.ProcessEnv, templates: Record<string, string>): NodeJS.ProcessEnv;
export function runAnchors(options: {
  anchors: string;
  tools: string[];
  reps: number;
  workDir: string;
  outDir: string;
  dataset: string;
  env: NodeJS.ProcessEnv;
}): Promise<{ code: number; signal: NodeJS.Signals | null; stderr: string }>;
export function toolLogSection(logText: string, tool: string, rep: number, maxLines?: number): string;
export function readToolsLog(file: string): string;
