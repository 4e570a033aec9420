/** Types for scripts/bench/options.mjs, so TypeScript tests can import it. */

export const KNOWN_TOOLS: string[];
export const HELP: string;
export const PARTS: string[];
export const REMOTE_BACKENDS: string[];

export class UsageError extends Error {}

export interface BenchOptions {
  sizeMib: number;
  reps: number;
  seed: number;
  work: string;
  /** null when --tools was not given */
  tools: string[] | null;
  dataset: string | null;
  harness: string | null;
  out: string | null;
  write: boolean;
  help: boolean;
  /** null: run every part */
  only: 'anchors' | 'journal' | 'remote' | 'index' | null;
  journalFiles: number;
  remoteSizeMib: number;
  /** 'sftp' and/or 's3', in run order */
  remoteBackends: string[];
  /** chunk counts of the index part (--only index) */
  indexChunks: number[];
}

export function parseTools(raw: string): string[];
export function parseRemoteBackends(raw: string): string[];
export function parseBenchArgs(argv: string[]): BenchOptions;
