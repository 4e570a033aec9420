/** Types for scripts/bench/dataset.mjs, so TypeScript tests can import it. */

export interface Dataset {
  dir: string;
  files: number;
  bytes: number;
  hash: string;
  seed: number | null;
  sizeMib: number | null;
  generated: boolean;
}

export function manifestLine(makeDataset: string, dir: string): string;
export function parseManifest(line: string): { files: number; bytes: number; hash: string };
export function ensureDataset(options: {
  makeDataset: string;
  work: string;
  sizeMib: number;
  seed: number;
  log: (message: string) => void;
}): Dataset;
export function describeDataset(makeDataset: string, dir: string): Dataset;
