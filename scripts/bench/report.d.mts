/** Types for scripts/bench/report.mjs, so TypeScript tests can import it. */
import type { Summary, Target } from './results.mjs';

export const START_MARKER: string;
export const END_MARKER: string;
export const TOOL_NAMES: Record<string, string>;

export interface HarnessHeader {
  workFs: string | null;
  mutation: string | null;
  toolVersions: Record<string, string>;
}

export interface ReportRun {
  date: string;
  command: string;
  durationS: number;
  machine: { os: string; cpu: string; cores: number; memoryGiB: number; node: string; restic: string; cairn: string };
  /** 1-minute load average before the run */
  loadAtStart: number;
  workFs: string | null;
  dataset: { dir: string; files: number; bytes: number; hash: string; seed: number | null; sizeMib: number | null };
  tools: string[];
  reps: number;
  summary: Summary;
  targets: Target[];
  catMbps: number | null;
  mutation: string | null;
  toolVersions: Record<string, string>;
  resultsDir: string;
}

export function parseHarnessHeader(text: string): HarnessHeader;
export function renderReport(run: ReportRun): string;
export function spliceReport(existing: string | null, block: string): string;
