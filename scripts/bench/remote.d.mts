/** Types for scripts/bench/remote.mjs, so TypeScript tests can import it. */
import type { Dataset } from './dataset.mjs';

export const REMOTE_BACKENDS: string[];
export const REMOTE_TOOLS: string[];
export const REMOTE_STEPS: string[];
export const REMOTE_START: string;
export const REMOTE_END: string;
export const RATIO_GOAL: number;
export const RATIO_BAR: number;

export interface RequestCount {
  total: number;
  byType: Record<string, number>;
}

export interface RemoteRow {
  backend: string;
  tool: string;
  rep: number;
  step: string;
  wall: number;
  user: number;
  sys: number;
  rssMib: number;
  requests: RequestCount;
}

export interface RemoteStepSummary {
  reps: number;
  wall: number | null;
  wallMin: number;
  wallMax: number;
  cpu: number | null;
  mbps: number | null;
  rssMib: number | null;
  requests: number | null;
  perGiB: number | null;
  byType: Record<string, number | null>;
}

/** summary[backend][tool][step] */
export type RemoteSummary = Record<string, Record<string, Record<string, RemoteStepSummary>>>;

export interface RemoteRatio {
  backend: string;
  step: string;
  ours: number | null;
  restic: number | null;
  ratio: number | null;
  verdict: 'goal' | 'bar' | 'below' | null;
}

export interface RemoteResult {
  dataset: Dataset;
  reps: number;
  backends: string[];
  rows: RemoteRow[];
  summary: RemoteSummary;
  ratios: RemoteRatio[];
  versions: { sshd: string; ssh: string; rgw: string; restic: string };
}

export interface RemoteReportMeta {
  date: string;
  machine: string;
  command: string;
  loadAtStart: number;
  cores: number;
  /** The Cairn build measured (version, commit). */
  cairn: string;
}

export function countSftpRequests(text: string): RequestCount & { opened: number; closed: number };
export function countRgwRequests(text: string): RequestCount;
export function median(values: (number | null | undefined)[]): number | null;
export function summarizeRemote(rows: RemoteRow[], bytes: number): RemoteSummary;
export function peakRssOf(rows: RemoteRow[], backend: string, tool?: string): number | null;
export function remoteRatios(summary: RemoteSummary): RemoteRatio[];
export function renderRemoteReport(result: RemoteResult, meta: RemoteReportMeta): string;
export function spliceRemoteReport(existing: string | null, block: string): string;

export interface BenchSshd {
  port: number;
  user: string;
  identityFile: string;
  knownHostsFile: string;
  /** sftp-server's DEBUG3 log: one `request N: <type>` line per request. */
  sftpLog: string;
  pidFile: string;
  stop(): Promise<void>;
}

export interface BenchRgw {
  port: number;
  env: Record<string, string>;
  /** RGW's log, with one access line per request. */
  log: string;
  stop(): Promise<void>;
}

export function startBenchSshd(dir: string): Promise<BenchSshd>;
export function startBenchRgw(dir: string, script: string): Promise<BenchRgw>;
export function runRemoteBench(options: {
  work: string;
  dataset: Dataset;
  reps: number;
  backends?: string[];
  cairn: string[];
  s3Script: string;
  log: (message: string) => void;
}): Promise<RemoteResult>;
