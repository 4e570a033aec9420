/**
 * One live SSH connection with its SFTP channel, as promises. Requests share the channel and
 * are answered in order by the server; many may be in flight at once (that is how transfers
 * reach full speed over a slow link). Once the connection is gone the session is dead for good:
 * every request still waiting fails with ConnectionLostError at once (ssh2 alone would leave a
 * request sent on a closed channel waiting forever), and so does every later one. The
 * connection (connection.ts) then opens a new session on the next call.
 */
import type { Client, FileEntryWithStats, SFTPWrapper, Stats } from 'ssh2';
import { ConnectionLostError, isConnectionFailure, SFTP_STATUS } from './errors.js';

type Callback<T> = (err: Error | null | undefined, value?: T) => void;

/** Fallback request sizes: what ssh2 itself uses with a server other than OpenSSH. */
const FALLBACK_CHUNK = 34000 - 2048;
/** Never more per request than OpenSSH's sftp-server answers (256 KiB packets). */
const MAX_CHUNK = 255 * 1024;

export interface StatvfsInfo {
  bavail: number;
  frsize: number;
}

export class SftpSession {
  private dead?: unknown;
  private readonly waiting = new Set<(err: Error) => void>();
  /** The largest read and write one request may carry (ssh2 learns them from `limits@openssh.com`). */
  readonly readChunk: number;
  readonly writeChunk: number;

  constructor(
    readonly client: Client,
    readonly sftp: SFTPWrapper,
  ) {
    // ssh2 keeps the limits the server announced in private fields; reading them spares
    // splitting requests that ssh2 would otherwise send one after another.
    const limits = sftp as unknown as { _maxReadLen?: unknown; _maxWriteLen?: unknown };
    this.readChunk = chunkSize(limits._maxReadLen);
    this.writeChunk = chunkSize(limits._maxWriteLen);
    client.on('error', (err: Error) => this.die(err));
    client.on('close', () => this.die(undefined));
    client.on('end', () => this.die(undefined));
    sftp.on('close', () => this.die(undefined));
    sftp.on('error', (err: Error) => this.die(err));
  }

  get alive(): boolean {
    return this.dead === undefined;
  }

  /** Ends the connection; waiting requests fail with ConnectionLostError. */
  end(): void {
    this.die(new Error('the connection was closed by Cairn'));
  }

  private die(reason: unknown): void {
    if (this.dead !== undefined) return;
    this.dead = reason ?? new Error('the server closed the connection');
    const lost = new ConnectionLostError(this.dead);
    for (const reject of this.waiting) reject(lost);
    this.waiting.clear();
    try {
      this.client.end();
    } catch {
      // Already torn down.
    }
  }

  /** Runs one ssh2 request; fails at once when the connection is gone, or as soon as it goes. */
  call<T>(start: (cb: Callback<T>) => void): Promise<T> {
    if (this.dead !== undefined) return Promise.reject(new ConnectionLostError(this.dead));
    return new Promise<T>((resolve, reject) => {
      this.waiting.add(reject);
      const done: Callback<T> = (err, value) => {
        if (!this.waiting.delete(reject)) return; // already failed by die()
        if (!err) resolve(value as T);
        else if (isConnectionFailure(err)) {
          this.die(err);
          reject(new ConnectionLostError(this.dead));
        } else reject(err);
      };
      try {
        start(done);
      } catch (err) {
        // ssh2 throws synchronously for a request the server cannot take (an extension it lacks).
        this.waiting.delete(reject);
        reject(err);
      }
    });
  }

  /**
   * How many handles one call may hold open at once: `wanted`, or fewer when the server announced
   * a lower limit (`limits@openssh.com`; OpenSSH allows thousands), keeping half for other calls.
   */
  handlesAtOnce(wanted: number): number {
    const announced = (this.sftp as unknown as { maxOpenHandles?: unknown }).maxOpenHandles;
    if (typeof announced !== 'number' || !Number.isFinite(announced) || announced <= 0) return wanted;
    return Math.max(1, Math.min(wanted, Math.floor(announced / 2)));
  }

  /** Whether the server announced an SFTP extension (e.g. 'fsync@openssh.com'). */
  supports(extension: string): boolean {
    const extensions = (this.sftp as unknown as { _extensions?: Record<string, string> })._extensions;
    return extensions?.[extension] !== undefined;
  }

  /** 'r' reads, 'wx' creates a new file (never opening an existing one), 'r+' writes in place (no create, no truncation). */
  open(path: string, flags: 'r' | 'wx' | 'r+', mode = 0o600): Promise<Buffer> {
    return this.call<Buffer>((cb) => this.sftp.open(path, flags, { mode }, cb));
  }

  /** The attributes of an open file (what the handle refers to, whatever its name now leads to). */
  fstat(handle: Buffer): Promise<Stats> {
    return this.call<Stats>((cb) => this.sftp.fstat(handle, cb));
  }

  close(handle: Buffer): Promise<void> {
    return this.call<void>((cb) => this.sftp.close(handle, cb));
  }

  /** Closes a handle without waiting for the answer (after reads: nothing can be lost). */
  closeQuietly(handle: Buffer): void {
    this.close(handle).catch(() => {});
  }

  lstat(path: string): Promise<Stats> {
    return this.call<Stats>((cb) => this.sftp.lstat(path, cb));
  }

  /** stat follows symlinks: used for the repository root only, which may well be reached through one. */
  stat(path: string): Promise<Stats> {
    return this.call<Stats>((cb) => this.sftp.stat(path, cb));
  }

  /**
   * The entries of a folder ('.' and '..' left out) in two round trips: OPENDIR, then two READDIRs
   * sent together (a folder that fits in one answer, as a shard folder does, is read by the first;
   * the second reports the end), then CLOSE sent without waiting for its answer. ssh2's
   * `readdir(path)` waits for each of those four requests in turn, which a listing of the 256
   * shard folders pays 32 times over at 32 folders in flight.
   */
  async readdir(path: string): Promise<FileEntryWithStats[]> {
    const handle = await this.call<Buffer>((cb) => this.sftp.opendir(path, cb));
    const entries: FileEntryWithStats[] = [];
    try {
      for (;;) {
        const first = this.readdirHandle(handle);
        const second = this.readdirHandle(handle);
        second.catch(() => {}); // awaited below unless the first one failed or ended the folder
        const a = await first;
        if (a === undefined) break;
        for (const entry of a) entries.push(entry);
        const b = await second;
        if (b === undefined) break;
        for (const entry of b) entries.push(entry);
      }
    } finally {
      this.closeQuietly(handle); // nothing to wait for after reads
    }
    return entries;
  }

  /** One READDIR on an open folder handle: the next entries, or undefined at the end. */
  private readdirHandle(handle: Buffer): Promise<FileEntryWithStats[] | undefined> {
    return this.call<FileEntryWithStats[]>((cb) => this.sftp.readdir(handle, cb)).catch((err: unknown) => {
      if ((err as { code?: unknown } | null)?.code === SFTP_STATUS.EOF) return undefined;
      throw err;
    });
  }

  mkdir(path: string, mode = 0o700): Promise<void> {
    return this.call<void>((cb) => this.sftp.mkdir(path, { mode }, cb));
  }

  rmdir(path: string): Promise<void> {
    return this.call<void>((cb) => this.sftp.rmdir(path, cb));
  }

  unlink(path: string): Promise<void> {
    return this.call<void>((cb) => this.sftp.unlink(path, cb));
  }

  /** Plain SFTP rename: OpenSSH links the new name and refuses when it exists (never replaces). */
  rename(from: string, to: string): Promise<void> {
    return this.call<void>((cb) => this.sftp.rename(from, to, cb));
  }

  /** rename(2) on the server, replacing the target atomically (`posix-rename@openssh.com`). */
  posixRename(from: string, to: string): Promise<void> {
    return this.call<void>((cb) => this.sftp.ext_openssh_rename(from, to, cb));
  }

  /** fsync(2) of an open file on the server (`fsync@openssh.com`). */
  fsync(handle: Buffer): Promise<void> {
    return this.call<void>((cb) => this.sftp.ext_openssh_fsync(handle, cb));
  }

  statvfs(path: string): Promise<StatvfsInfo> {
    return this.call<StatvfsInfo>((cb) => this.sftp.ext_openssh_statvfs(path, cb));
  }

  /** Writes `buffer` at `position` in one request (at most `writeChunk` bytes); ssh2 copies it at once. */
  write(handle: Buffer, buffer: Buffer, position: number): Promise<void> {
    return this.call<void>((cb) => this.sftp.write(handle, buffer, 0, buffer.length, position, cb));
  }

  /** Reads up to `length` bytes at `position` into `buffer` at `offset` in one request; resolves the count (0 at the end). */
  read(handle: Buffer, buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
    return this.call<number>((cb) => this.sftp.read(handle, buffer, offset, length, position, (err, n) => cb(err, n)));
  }
}

function chunkSize(announced: unknown): number {
  return typeof announced === 'number' && announced > 0 ? Math.min(announced, MAX_CHUNK) : FALLBACK_CHUNK;
}
