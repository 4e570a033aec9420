/** Types for scripts/bench/results.mjs, so TypeScript tests can import it. */

export const STEPS: string[];

export interface ResultRow {
  dataset: string;
  tool: string;
  rep: number;
  step: string;
  wall: number | null;
  user: number | null;
  sys: number | null;
  rssMib: number | null;
  repoMib: number | null;
  dataMib: number | null;
  mbps: number | null;
  note: string;
  rc: number | null;
  verify: 'OK' | 'FAIL' | null;
}

export interface StepSummary {
  reps: number;
  wall: number | null;
  wallMin: number | null;
  wallMax: number | null;
  cpu: number | null;
  mbps: number | null;
  rssMib: number | null;
  repoMib: number | null;
}

export type Summary = Record<string, Record<string, StepSummary>>;

export interface Failure {
  tool: string;
  rep: number;
  step: string;
  message: string;
}

export interface Target {
  id: string;
  label: string;
  goal: string;
  op: '>=' | '<=';
  limit: number;
  unit: string;
  ours: number | null;
  restic: number | null;
  relative: boolean;
  value: number | null;
  met: boolean | null;
}

export function parseResultsTsv(text: string): ResultRow[];
export function median(values: (number | null)[]): number | null;
export function findFailures(rows: ResultRow[], tools: string[], reps: number): Failure[];
export function summarize(rows: ResultRow[]): Summary;
export function peakRss(rows: ResultRow[], tool: string): number | null;
export function evaluateTargets(summary: Summary, rows: ResultRow[]): Target[];
