/**
 * Human output helpers for the CLI: sizes, durations, tables, and a progress line on a TTY
 * (or JSON lines on stderr with --json).
 */

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}

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
  current?: string;
}

/** Renders progress: a rewritten status line on a TTY, JSON lines with --json, nothing otherwise. */
export class ProgressReporter {
  private readonly started = Date.now();
  private shown = false;

  constructor(
    private readonly mode: 'tty' | 'json' | 'none',
    private readonly verb: string,
  ) {}

  static for(json: boolean, verb: string): ProgressReporter {
    return new ProgressReporter(json ? 'json' : process.stderr.isTTY ? 'tty' : 'none', verb);
  }

  update(p: ProgressSample): void {
    if (this.mode === 'none') return;
    const elapsed = (Date.now() - this.started) / 1000;
    const rate = elapsed > 0 ? p.bytes / elapsed : 0;
    const eta = p.totalBytes && rate > 0 && p.totalBytes > p.bytes ? (p.totalBytes - p.bytes) / rate : undefined;
    if (this.mode === 'json') {
      process.stderr.write(
        `${JSON.stringify({ type: 'progress', files: p.files, bytes: p.bytes, totalBytes: p.totalBytes ?? null, etaSeconds: eta === undefined ? null : Math.round(eta), bytesPerSecond: Math.round(rate) })}\n`,
      );
      return;
    }
    const pct = p.totalBytes ? ` ${Math.min(100, Math.floor((100 * p.bytes) / p.totalBytes))}%` : '';
    const etaText = eta === undefined ? '' : `, ETA ${formatDuration(eta * 1000)}`;
    const line = `${this.verb}${pct}: ${p.files} files, ${formatBytes(p.bytes)} (${formatBytes(rate)}/s${etaText})`;
    const width = process.stderr.columns ?? 100;
    process.stderr.write(`\r${line.slice(0, width - 1).padEnd(Math.min(width - 1, 100))}`);
    this.shown = true;
  }

  done(): void {
    if (this.mode === 'tty' && this.shown) process.stderr.write('\r\x1b[K');
  }
}
