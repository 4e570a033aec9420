/** Types for scripts/bench/index.mjs, so TypeScript tests can import it. */

export const INDEX_START: string;
export const INDEX_END: string;
export const INDEX_BAR: { bytesPerChunk: number; openS: number };
export const INDEX_GOAL: { bytesPerChunk: number; openS: number };

export interface IndexRow {
  chunks: number;
  packs: number;
  openS: number;
  loadCpuS: number;
  heapPerChunk: number;
  buffersPerChunk: number;
  rssPerChunk: number;
  peakRssPerChunk: number;
  lookupNs: number;
}

export function runIndexBench(options: {
  root: string;
  work: string;
  sizes: number[];
  reps: number;
  log: (message: string) => void;
}): IndexRow[];
export function renderIndexReport(
  rows: IndexRow[],
  meta: { date: string; machine: string; command: string; reps: number; loadAtStart: number; cores: number },
): string;
export function spliceIndexReport(existing: string | null, block: string): string;
