/** Types for scripts/torture/core.mjs, so the TypeScript test (test/torture/short.test.ts) can import it. */

export const KINDS: readonly ['backup', 'forget', 'erase', 'key add', 'key passwd'];
export type Kind = (typeof KINDS)[number];

export interface TortureSummary {
  seed: number;
  kills: number;
  killsByKind: Record<Kind, number>;
  /** Operations chosen to be killed that ended by themselves first. */
  finishedBeforeKill: Record<Kind, number>;
  operations: Record<Kind, number>;
  /** Every `cairn` process started, by command. */
  processes: Record<string, number>;
  verifications: number;
  staleLocksSeen: number;
  steps: number;
  durationMs: number;
  failures: { step: number; what: string; message: string }[];
  /** Set when the work folder was kept (a failure, or `keep`). */
  workDir?: string;
}

export class TortureFailure extends Error {
  step: number;
  what: string;
}

export function runTorture(options: {
  root: string;
  seed: number;
  kills: number;
  scale?: 'short' | 'full';
  keep?: boolean;
  log?: (line: string) => void;
  /** Tests: damages the repository before the final verification (which must then fail). */
  damage?: (paths: { repo: string; src: string }) => Promise<void>;
}): Promise<TortureSummary>;
