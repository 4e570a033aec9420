/**
 * Human output helpers for the CLI: sizes, durations, tables, and a progress line on a TTY
 * (or JSON lines on stderr with --json).
 */
import { ETA_MIN_BYTES, EtaEstimator } from '../app/host/eta.js';
import { formatBytes } from '../contract/units.js';

/** Sizes in the binary units the app uses too (one function for both: ../contract/units.ts). */
export { formatBytes };

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

export function table(rows: string[][], header: string[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export interface ProgressSample {
  files: number;
  bytes: number;
  totalBytes?: number;
  /** Number of files in all, when known. */
  filesTotal?: number;
  /** While the totals are still being counted (a first backup): what was counted so far. */
  counting?: { files: number; bytes: number };
  current?: string;
}

/**
 * Renders progress: a rewritten status line on a TTY, JSON lines with --json, nothing otherwise.
 * The time left is the app's estimate (src/app/host/eta.ts): none until it means something.
 */
export class ProgressReporter {
  private readonly started: number;
  private readonly eta = new EtaEstimator(ETA_MIN_BYTES);
  private shown = false;

  constructor(
    private readonly mode: 'tty' | 'json' | 'none',
    private readonly verb: string,
    private readonly now: () => number = () => Date.now(),
    private readonly write: (text: string) => void = (text) => process.stderr.write(text),
  ) {
    this.started = now();
  }

  /** `quiet` (--quiet) shows no progress line; --json still writes its progress lines. */
  static for(json: boolean, verb: string, quiet = false): ProgressReporter {
    return new ProgressReporter(json ? 'json' : process.stderr.isTTY && !quiet ? 'tty' : 'none', verb);
  }

  update(p: ProgressSample): void {
    if (this.mode === 'none') return;
    const now = this.now();
    const elapsed = (now - this.started) / 1000;
    const rate = elapsed > 0 ? p.bytes / elapsed : 0;
    const total = p.totalBytes !== undefined && p.totalBytes > 0 ? p.totalBytes : null;
    const eta = this.eta.update(now, p.bytes, total);
    if (this.mode === 'json') {
      this.write(
        `${JSON.stringify({ type: 'progress', files: p.files, filesTotal: p.filesTotal ?? null, bytes: p.bytes, totalBytes: p.totalBytes ?? null, counting: p.counting ?? null, etaSeconds: eta, bytesPerSecond: Math.round(rate) })}\n`,
      );
      return;
    }
    const line = `${this.verb}${progressText(p)} (${formatBytes(rate)}/s${aside(p, total, eta)})`;
    const width = process.stderr.columns ?? 100;
    this.write(`\r${line.slice(0, width - 1).padEnd(Math.min(width - 1, 100))}`);
    this.shown = true;
  }

  done(): void {
    if (this.mode === 'tty' && this.shown) this.write('\r\x1b[K');
  }
}

/** " 42%: 120 of 500 files, 12.0 MiB of 100 MiB", or without totals ": 120 files, 12.0 MiB". */
function progressText(p: ProgressSample): string {
  const pct = p.totalBytes ? ` ${Math.min(100, Math.floor((100 * p.bytes) / p.totalBytes))}%` : '';
  const files = p.filesTotal !== undefined ? `${p.files} of ${p.filesTotal} files` : `${p.files} files`;
  const bytes = p.totalBytes ? `${formatBytes(p.bytes)} of ${formatBytes(p.totalBytes)}` : formatBytes(p.bytes);
  return `${pct}: ${files}, ${bytes}`;
}

/** What follows the speed: the time left, or why there is none yet. */
function aside(p: ProgressSample, total: number | null, eta: number | null): string {
  if (p.counting) return `; counting files… ${p.counting.files} so far`;
  if (eta !== null) return `, ETA ${formatDuration(eta * 1000)}`;
  return total !== null ? ', ETA estimating…' : '';
}
