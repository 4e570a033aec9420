/**
 * Times to the nanosecond on restore. Node sets times only as float seconds, and libuv cuts them
 * to microseconds (uv__fs_to_timespec), so `fs.utimes` cannot give a file back the nanoseconds a
 * recovery point recorded. Linux's utimensat can, and perl (essential on Debian and Ubuntu, present
 * on nearly every Linux) can call it with its `syscall` builtin: one perl process per restore takes
 * a stream of `atime mtime path` records and sets each exactly, without following symlinks. Only
 * entries whose recorded times are not whole microseconds are sent (utimes already set the others
 * exactly). Where this helper cannot run (no perl, another system or architecture) the times stay
 * as utimes set them, to the microsecond (docs/fidelity.md).
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';

/** utimensat's system call number, by architecture (Linux only). */
const UTIMENSAT: Partial<Record<string, number>> = { x64: 280, arm64: 88 };
const AT_FDCWD = -100;
const AT_SYMLINK_NOFOLLOW = 0x100;

/** Reads NUL-ended records; prints `path-hex errno-text` for each failure. */
const SCRIPT = `
$/ = "\\0"; $| = 1;
while (defined(my $rec = <STDIN>)) {
  chomp $rec;
  my ($as, $an, $ms, $mn, $path) = split(/ /, $rec, 5);
  my $r = syscall(${UTIMENSAT[process.arch] ?? 0}, ${AT_FDCWD}, $path, pack('q4', $as, $an, $ms, $mn), ${AT_SYMLINK_NOFOLLOW});
  print unpack('H*', $path), " $!\\n" if $r != 0;
}`;

const NS_PER_S = 1_000_000_000n;
const ZERO = Buffer.from([0]);

/** Seconds and nanoseconds (0 to 999999999) of a time in ns since the epoch, also before 1970. */
function timespec(ns: bigint): string {
  let s = ns / NS_PER_S;
  let n = ns % NS_PER_S;
  if (n < 0n) {
    s -= 1n;
    n += NS_PER_S;
  }
  return `${s} ${n}`;
}

/** Float seconds for utimes that libuv cuts to exactly the recorded microsecond (or the ms time). */
export function utimesSeconds(ns: string | undefined, ms: number): number {
  if (ns === undefined) return ms / 1000;
  const micros = BigInt(ns) / 1000n - (BigInt(ns) % 1000n < 0n ? 1n : 0n);
  // Half a microsecond more, so that the float's rounding never lands below the microsecond.
  return (Number(micros) + 0.5) / 1e6;
}

export class ExactTimes {
  private child?: ChildProcessWithoutNullStreams;
  /** Settles when the helper has ended, or failed to start. */
  private ended?: Promise<void>;
  private unavailable = process.platform !== 'linux' || UTIMENSAT[process.arch] === undefined;
  private output = '';
  private readonly failures: { path: string; message: string }[] = [];

  /**
   * Sets the entry at `local` to its recorded times when they are finer than a microsecond
   * (already set to the microsecond by the caller). `atimeNs` defaults to `mtimeNs`.
   */
  set(local: string | Buffer, mtimeNs: string | undefined, atimeNs: string | undefined): void {
    if (this.unavailable || mtimeNs === undefined) return;
    const m = BigInt(mtimeNs);
    const a = atimeNs === undefined ? m : BigInt(atimeNs);
    if (m % 1000n === 0n && a % 1000n === 0n) return;
    const child = this.start();
    if (!child) return;
    const head = `${timespec(a)} ${timespec(m)} `;
    child.stdin.write(
      typeof local === 'string' ? `${head}${local}\0` : Buffer.concat([Buffer.from(head), local, ZERO]),
    );
  }

  /** Waits for every record to be applied; returns the entries whose times could not be set. */
  async close(): Promise<{ path: string; message: string }[]> {
    const child = this.child;
    if (child) {
      child.stdin.end();
      await this.ended;
      this.collect(true);
    }
    return this.failures;
  }

  private start(): ChildProcessWithoutNullStreams | undefined {
    if (this.child) return this.child;
    const child = spawn('perl', ['-e', SCRIPT], { stdio: 'pipe' });
    this.ended = new Promise((resolve) => {
      child.on('close', () => resolve());
      // No perl: the times stay at the microsecond utimes gave them.
      child.on('error', () => {
        this.unavailable = true;
        resolve();
      });
    });
    child.stdin.on('error', () => undefined);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text: string) => {
      this.output += text;
      this.collect(false);
    });
    this.child = child;
    return child;
  }

  private collect(all: boolean): void {
    const lines = this.output.split('\n');
    this.output = all ? '' : (lines.pop() ?? '');
    for (const line of lines) {
      if (!line) continue;
      const space = line.indexOf(' ');
      this.failures.push({
        path: Buffer.from(line.slice(0, space), 'hex').toString('utf8'),
        message: `its time could not be set to the nanosecond: ${line.slice(space + 1)}`,
      });
    }
  }
}
