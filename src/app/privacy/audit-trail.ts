/**
 * The audit trail (GDPR Art. 5(2), accountability): an append-only, hash-chained JSON-lines log
 * `audit.jsonl` in the privacy folder. Each entry is {seq, at, actor, action, details, prev, hash}:
 * `prev` is the previous entry's hash (64 zeros for the first), `hash` the SHA-256 of the canonical
 * JSON of the entry without `hash`. A head anchor `audit.head.json` ({seq, hash} of the last
 * entry, rewritten atomically after each append) lets verify() notice that the last entries were
 * removed. Appends from the app and the CLI are serialised by a cross-process file lock.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CairnError } from '../../engine/errors.js';
import { appendDurable, canonicalJson, readIfExists, sha256Hex, withFileLock, writeFileAtomic } from './files.js';

export type Actor = 'app' | 'cli';
export type AuditDetails = Record<string, unknown>;

export interface AuditEntry {
  seq: number;
  at: string;
  actor: Actor;
  action: string;
  details: AuditDetails;
  prev: string;
  hash: string;
}

export type AuditProblemKind = 'edited' | 'removed' | 'reordered' | 'truncated' | 'unreadable';

export interface AuditProblem {
  /** The sequence number where the problem shows (the missing, moved or changed entry). */
  seq: number;
  kind: AuditProblemKind;
  message: string;
}

export interface AuditVerifyResult {
  ok: boolean;
  entries: number;
  lastSeq: number;
  problem: AuditProblem | null;
}

export const AUDIT_FILE = 'audit.jsonl';
export const AUDIT_HEAD_FILE = 'audit.head.json';
export const GENESIS = '0'.repeat(64);
const ACTION = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/;
const TAIL_BYTES = 256 * 1024;

export function entryHash(entry: Omit<AuditEntry, 'hash'> | AuditEntry): string {
  const { hash: _hash, ...rest } = entry as AuditEntry;
  return sha256Hex(canonicalJson(rest));
}

export class AuditTrail {
  readonly file: string;
  readonly headFile: string;

  constructor(
    readonly dir: string,
    readonly actor: Actor,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.file = path.join(dir, AUDIT_FILE);
    this.headFile = path.join(dir, AUDIT_HEAD_FILE);
  }

  /** Appends one entry and returns it. `action` is dotted (e.g. 'backup.completed'). */
  append(action: string, details: AuditDetails = {}): AuditEntry {
    if (!ACTION.test(action)) throw new CairnError('invalid-argument', `"${action}" is not an audit action name`);
    return withFileLock(this.dir, 'audit', () => {
      const last = this.lastEntry();
      const body: Omit<AuditEntry, 'hash'> = {
        seq: last ? last.seq + 1 : 1,
        at: this.now().toISOString(),
        actor: this.actor,
        action,
        details: JSON.parse(JSON.stringify(details ?? {})) as AuditDetails,
        prev: last ? last.hash : GENESIS,
      };
      const entry: AuditEntry = { ...body, hash: entryHash(body) };
      appendDurable(this.file, `${JSON.stringify(entry)}\n`);
      writeFileAtomic(this.headFile, `${JSON.stringify({ seq: entry.seq, hash: entry.hash })}\n`);
      return entry;
    });
  }

  /** Every entry in file order (lines that do not parse are skipped; verify() reports them). */
  entries(): AuditEntry[] {
    const text = readIfExists(this.file) ?? '';
    const out: AuditEntry[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        out.push(JSON.parse(line) as AuditEntry);
      } catch {
        // reported by verify()
      }
    }
    return out;
  }

  /** Newest first: at most `limit` entries with seq below `before`. */
  list(options: { limit?: number; before?: number } = {}): AuditEntry[] {
    const all = this.entries();
    const filtered = options.before === undefined ? all : all.filter((e) => e.seq < (options.before as number));
    return filtered.reverse().slice(0, options.limit ?? filtered.length);
  }

  /** Recomputes the chain and compares it with the head anchor; returns the first problem. */
  verify(): AuditVerifyResult {
    const text = readIfExists(this.file) ?? '';
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    const parsed: (AuditEntry | null)[] = lines.map((line) => {
      try {
        const e = JSON.parse(line) as AuditEntry;
        return e && typeof e === 'object' && Number.isInteger(e.seq) ? e : null;
      } catch {
        return null;
      }
    });
    const result = (problem: AuditProblem | null, lastSeq: number): AuditVerifyResult => ({
      ok: problem === null,
      entries: lines.length,
      lastSeq,
      problem,
    });
    let expected = 1;
    let prevHash = GENESIS;
    for (let i = 0; i < parsed.length; i++) {
      const entry = parsed[i];
      if (!entry) {
        return result(
          { seq: expected, kind: 'unreadable', message: `line ${i + 1} of the audit trail is not a valid entry` },
          expected - 1,
        );
      }
      if (entry.seq !== expected) {
        const laterHasExpected = parsed.slice(i + 1).some((e) => e?.seq === expected);
        if (entry.seq < expected || laterHasExpected) {
          return result(
            {
              seq: entry.seq,
              kind: 'reordered',
              message: `entry ${entry.seq} appears where entry ${expected} should be: entries were reordered`,
            },
            expected - 1,
          );
        }
        return result(
          {
            seq: expected,
            kind: 'removed',
            message:
              entry.seq === expected + 1
                ? `entry ${expected} is missing: it was removed`
                : `entries ${expected} to ${entry.seq - 1} are missing: they were removed`,
          },
          expected - 1,
        );
      }
      if (entryHash(entry) !== entry.hash) {
        return result(
          { seq: entry.seq, kind: 'edited', message: `entry ${entry.seq} was changed after it was written` },
          expected - 1,
        );
      }
      if (entry.prev !== prevHash) {
        // The entry itself is consistent, so the one before it was rewritten (hash recomputed).
        const seq = Math.max(1, entry.seq - 1);
        return result(
          {
            seq,
            kind: 'edited',
            message: `entry ${seq} was changed after it was written (entry ${entry.seq} names another predecessor)`,
          },
          expected - 1,
        );
      }
      prevHash = entry.hash;
      expected++;
    }
    const lastSeq = expected - 1;
    const head = this.readHead();
    if (head) {
      if (head.seq > lastSeq) {
        return result(
          {
            seq: lastSeq + 1,
            kind: 'truncated',
            message:
              head.seq === lastSeq + 1
                ? `the last entry (${head.seq}) was removed`
                : `the last entries (${lastSeq + 1} to ${head.seq}) were removed`,
          },
          lastSeq,
        );
      }
      // An append interrupted between the log and the anchor leaves the anchor one behind:
      // the anchored entry must still be in the chain, unchanged.
      const anchored = parsed[head.seq - 1];
      if (head.seq > 0 && anchored?.hash !== head.hash) {
        return result(
          { seq: head.seq, kind: 'edited', message: `entry ${head.seq} differs from the one last anchored` },
          lastSeq,
        );
      }
    } else if (lastSeq > 0 && fs.existsSync(this.dir)) {
      return result(
        {
          seq: lastSeq,
          kind: 'truncated',
          message: `the head anchor (${AUDIT_HEAD_FILE}) is missing, so removed last entries could not be detected`,
        },
        lastSeq,
      );
    }
    return result(null, lastSeq);
  }

  private readHead(): { seq: number; hash: string } | undefined {
    const text = readIfExists(this.headFile);
    if (text === undefined) return undefined;
    try {
      const head = JSON.parse(text) as { seq: number; hash: string };
      if (Number.isInteger(head.seq) && typeof head.hash === 'string') return head;
    } catch {
      // fall through
    }
    return { seq: Number.MAX_SAFE_INTEGER, hash: '' };
  }

  /** The last entry, read from the end of the file (the anchor may lag after a crash). */
  private lastEntry(): AuditEntry | undefined {
    let fd: number;
    try {
      fd = fs.openSync(this.file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    try {
      const size = fs.fstatSync(fd).size;
      const length = Math.min(size, TAIL_BYTES);
      const buf = Buffer.alloc(length);
      fs.readSync(fd, buf, 0, length, size - length);
      const lines = buf
        .toString('utf8')
        .split('\n')
        .filter((l) => l.trim() !== '');
      const last = lines.at(-1);
      if (!last) return undefined;
      try {
        const entry = JSON.parse(last) as AuditEntry;
        if (Number.isInteger(entry.seq) && typeof entry.hash === 'string') return entry;
      } catch {
        // below
      }
      throw new CairnError(
        'integrity',
        `the last line of ${this.file} is not a valid audit entry; run "cairn audit verify"`,
      );
    } finally {
      fs.closeSync(fd);
    }
  }
}
