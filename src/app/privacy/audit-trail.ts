/**
 * The audit trail (GDPR Art. 5(2), accountability): an append-only, keyed-chain JSON-lines log
 * `audit.jsonl` in the privacy folder. Each entry is {seq, at, actor, action, details, prev, hash,
 * mac}: `prev` is the previous entry's hash (64 zeros for the first), `hash` the SHA-256 of the
 * canonical JSON of the entry without `hash` and `mac`, and `mac` the HMAC-SHA-256, under the
 * trail's key (./audit-key.ts), of the previous entry's mac and this entry's hash. Without the key
 * a rewritten chain cannot be given valid macs. A head file `audit.head.json` ({seq, hash, mac} of
 * the last entry) shows removed last entries; the copies of the head kept in repositories
 * (./audit-anchors.ts) show truncation, deletion and recomputation even to someone who has the key.
 * Appends from the app and the CLI are serialised by a cross-process file lock.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CairnError } from '../../engine/errors.js';
import { type AuditKey, chainMac, folderAuditKey } from './audit-key.js';
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
  /** HMAC-SHA-256 (hex) of the previous entry's mac and this entry's hash, under the trail's key. */
  mac: string;
}

export type AuditProblemKind =
  | 'edited'
  | 'removed'
  | 'reordered'
  | 'truncated'
  | 'unreadable'
  | 'forged'
  | 'deleted'
  | 'recomputed';

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

/** The SHA-256 of the entry without `hash` and `mac` (what `mac` then authenticates). */
export function entryHash(entry: Omit<AuditEntry, 'hash' | 'mac'> | AuditEntry): string {
  const { hash: _hash, mac: _mac, ...rest } = entry as AuditEntry;
  return sha256Hex(canonicalJson(rest));
}

export class AuditTrail {
  readonly file: string;
  readonly headFile: string;
  private readonly keySource: () => AuditKey;

  constructor(
    readonly dir: string,
    readonly actor: Actor,
    private readonly now: () => Date = () => new Date(),
    /** The chain's key, read only when an entry is written or verified (default: ./audit-key.ts's file). */
    keySource?: () => AuditKey,
  ) {
    this.file = path.join(dir, AUDIT_FILE);
    this.headFile = path.join(dir, AUDIT_HEAD_FILE);
    let key: AuditKey | undefined;
    this.keySource = keySource ?? (() => (key ??= folderAuditKey(dir)));
  }

  /** Appends one entry and returns it. `action` is dotted (e.g. 'backup.completed'). */
  append(action: string, details: AuditDetails = {}): AuditEntry {
    if (!ACTION.test(action)) throw new CairnError('invalid-argument', `"${action}" is not an audit action name`);
    return withFileLock(this.dir, 'audit', () => {
      this.keyLegacyEntries();
      const last = this.lastEntry();
      const body: Omit<AuditEntry, 'hash' | 'mac'> = {
        seq: last ? last.seq + 1 : 1,
        at: this.now().toISOString(),
        actor: this.actor,
        action,
        details: JSON.parse(JSON.stringify(details ?? {})) as AuditDetails,
        prev: last ? last.hash : GENESIS,
      };
      const entry = this.seal(body, last ? last.mac : GENESIS);
      appendDurable(this.file, `${JSON.stringify(entry)}\n`);
      this.writeHead(entry);
      return entry;
    });
  }

  /** Where the chain's key is kept (shown by `audit verify`, documented in docs/privacy.md). */
  keyLocation(): string {
    return this.keySource().where;
  }

  /** Gives `body` its hash and its mac after `prevMac` (also used to re-chain after a redaction). */
  seal(body: Omit<AuditEntry, 'hash' | 'mac'> | AuditEntry, prevMac: string): AuditEntry {
    const { hash: _h, mac: _m, ...rest } = body as AuditEntry;
    const hash = entryHash(rest);
    return { ...rest, hash, mac: chainMac(this.keySource().key, prevMac, hash) };
  }

  /** Rewrites the head file for `last` (the caller holds the lock). */
  writeHead(last: AuditEntry): void {
    writeFileAtomic(this.headFile, `${JSON.stringify({ seq: last.seq, hash: last.hash, mac: last.mac })}\n`);
  }

  /**
   * A trail written before entries were keyed (hash chain only) is given macs once — when its key
   * was just made (an existing key means the trail was keyed, so a trail without macs was
   * stripped) and its plain chain still verifies — and the upgrade is recorded as `audit.keyed`.
   * Any other trail is left as it is, for verify() to report. The caller holds the lock.
   */
  private keyLegacyEntries(): void {
    const all = this.entries();
    if (all.length === 0 || all.some((e) => typeof e.mac === 'string')) return; // keyed, or mixed: verify() reports it
    if (!this.keySource().fresh) return;
    if (!this.verifyChain(this.parsedLines(), false).ok) return;
    let prev = GENESIS;
    const keyed = all.map((e) => {
      const sealed = this.seal(e, prev);
      prev = sealed.mac;
      return sealed;
    });
    writeFileAtomic(this.file, keyed.map((e) => `${JSON.stringify(e)}\n`).join(''));
    const last = keyed.at(-1) as AuditEntry;
    this.writeHead(last);
    const note = this.seal(
      {
        seq: last.seq + 1,
        at: this.now().toISOString(),
        actor: this.actor,
        action: 'audit.keyed',
        details: { entries: keyed.length, headBefore: last.hash },
        prev: last.hash,
      },
      last.mac,
    );
    appendDurable(this.file, `${JSON.stringify(note)}\n`);
    this.writeHead(note);
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

  /**
   * Recomputes the hashes and macs and compares the end of the chain with the head file; returns
   * the first problem. (The repository anchors are compared by ./audit-anchors.ts.)
   */
  verify(): AuditVerifyResult {
    withFileLock(this.dir, 'audit', () => this.keyLegacyEntries());
    return this.verifyChain(this.parsedLines(), true);
  }

  /** The end of the chain (entry count and last MAC) when the trail verifies, read once; else undefined. */
  verifiedEnd(): { count: number; mac: string } | undefined {
    withFileLock(this.dir, 'audit', () => this.keyLegacyEntries());
    const parsed = this.parsedLines();
    if (!this.verifyChain(parsed, true).ok) return undefined;
    return { count: parsed.length, mac: parsed.at(-1)?.mac ?? GENESIS };
  }

  /** Every line of the file, parsed, or null where it is not an entry. */
  private parsedLines(): (AuditEntry | null)[] {
    const text = readIfExists(this.file) ?? '';
    return text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((line) => {
        try {
          const e = JSON.parse(line) as AuditEntry;
          return e && typeof e === 'object' && Number.isInteger(e.seq) ? e : null;
        } catch {
          return null;
        }
      });
  }

  /** The chain check; `keyed` false checks only the plain hash chain (before the macs are added). */
  private verifyChain(parsed: (AuditEntry | null)[], keyed: boolean): AuditVerifyResult {
    const result = (problem: AuditProblem | null, lastSeq: number): AuditVerifyResult => ({
      ok: problem === null,
      entries: parsed.length,
      lastSeq,
      problem,
    });
    const key = keyed ? this.keySource().key : undefined;
    let prevMac = GENESIS;
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
      if (key && (typeof entry.mac !== 'string' || chainMac(key, prevMac, entry.hash) !== entry.mac)) {
        return result(
          {
            seq: entry.seq,
            kind: 'forged',
            message:
              typeof entry.mac === 'string'
                ? `entry ${entry.seq} does not carry the mac of this trail's key: the trail was rewritten (or its key replaced)`
                : `entry ${entry.seq} has no mac: the trail was rewritten without its key`,
          },
          expected - 1,
        );
      }
      prevHash = entry.hash;
      prevMac = typeof entry.mac === 'string' ? entry.mac : GENESIS;
      expected++;
    }
    const lastSeq = expected - 1;
    const head = this.readHead();
    if (!keyed) return result(null, lastSeq);
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
      if (head.seq > 0 && (anchored?.hash !== head.hash || (head.mac !== undefined && anchored?.mac !== head.mac))) {
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

  private readHead(): { seq: number; hash: string; mac?: string } | undefined {
    const text = readIfExists(this.headFile);
    if (text === undefined) return undefined;
    try {
      const head = JSON.parse(text) as { seq: number; hash: string; mac?: string };
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
