/**
 * The audit trail's heads anchored in repositories (docs/repository-format.md §11, `audit`): with
 * each backup the trail's entry count and last mac go into the recovery point, sealed with the
 * rest of it, under a key derived from the repository's keys (§3.5). Someone who can edit the data
 * folder — even one who has the chain's key — cannot change what a repository holds without its
 * password, so `audit verify` compares the local trail with the newest anchor of each unlocked
 * repository: a trail shorter than the anchor was truncated, a missing trail was deleted, and a
 * different mac at the anchored count means the chain was recomputed. A legitimate redaction
 * (erasure, ./erasure/audit-redaction.ts) records the macs it replaced, so older anchors still match.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import type { MasterKeys } from '../../engine/crypto/keys.js';
import { auditAnchorKey } from '../../engine/crypto/subkeys.js';
import type { SnapshotAuditAnchor } from '../../engine/format/snapshot.js';
import type { AuditEntry, AuditProblem, AuditTrail } from './audit-trail.js';
import { GENESIS } from './audit-trail.js';

/** What the anchors need of an open repository. */
export interface AnchorRepository {
  id: string;
  label: string;
  keys: Pick<MasterKeys, 'idKey'>;
  listSnapshots(): Promise<{ id: string; time: string; audit?: SnapshotAuditAnchor }[]>;
}

export interface AnchorCheck {
  repositoryId: string;
  label: string;
  /** The newest anchor of this trail in the repository, or null when it holds none. */
  anchor: { count: number; snapshotId: string; time: string } | null;
  /** Null when the trail matches the anchor (or there is none). */
  problem: AuditProblem | null;
}

function hmacHex(key: Uint8Array, text: string): string {
  return crypto.createHmac('sha256', key).update(text, 'utf8').digest('hex');
}

/** The trail's id in one repository: this machine and the trail's folder, keyed so it names neither. */
export function trailId(key: Uint8Array, trailDir: string): string {
  return hmacHex(key, `trail\n${os.hostname()}\n${trailDir}`).slice(0, 32);
}

function anchorMac(key: Uint8Array, count: number, chainMac: string): string {
  return hmacHex(key, `anchor\n${count}\n${chainMac}`);
}

/**
 * The anchor of the trail's current head for a repository with these keys; undefined when the
 * trail does not verify (anchoring it would vouch for the damage).
 */
export function makeAnchor(trail: AuditTrail, keys: Pick<MasterKeys, 'idKey'>): SnapshotAuditAnchor | undefined {
  const end = trail.verifiedEnd();
  if (!end) return undefined;
  const key = auditAnchorKey(keys);
  return { trail: trailId(key, trail.dir), count: end.count, mac: anchorMac(key, end.count, end.mac) };
}

/** Compares the trail with the newest anchor (highest count) of it in the repository. */
export async function checkAnchor(trail: AuditTrail, repo: AnchorRepository): Promise<AnchorCheck> {
  const key = auditAnchorKey(repo.keys);
  const id = trailId(key, trail.dir);
  let newest: { audit: SnapshotAuditAnchor; id: string; time: string } | undefined;
  for (const s of await repo.listSnapshots()) {
    if (s.audit?.trail !== id) continue;
    if (!newest || s.audit.count > newest.audit.count) newest = { audit: s.audit, id: s.id, time: s.time };
  }
  const base = { repositoryId: repo.id, label: repo.label };
  if (!newest) return { ...base, anchor: null, problem: null };
  const anchor = { count: newest.audit.count, snapshotId: newest.id, time: newest.time };
  return { ...base, anchor, problem: compare(trail, key, newest.audit, repo.label, newest.time) };
}

function compare(
  trail: AuditTrail,
  key: Buffer,
  anchor: SnapshotAuditAnchor,
  label: string,
  time: string,
): AuditProblem | null {
  const entries = trail.entries();
  const where = `repository "${label}" (anchored ${time.slice(0, 19).replace('T', ' ')} UTC)`;
  if (entries.length === 0 && anchor.count > 0) {
    const gone = !fs.existsSync(trail.file) ? 'the trail file is missing' : 'the trail file is empty';
    return {
      seq: 1,
      kind: 'deleted',
      message: `${gone}, but ${where} holds its head at ${anchor.count} entries: the trail was deleted`,
    };
  }
  if (entries.length < anchor.count) {
    return {
      seq: entries.length + 1,
      kind: 'truncated',
      message: `the trail has ${entries.length} entries, but ${where} holds its head at ${anchor.count}: entries ${entries.length + 1} to ${anchor.count} were removed`,
    };
  }
  const macAt = (n: number) => (n === 0 ? GENESIS : (entries[n - 1] as AuditEntry).mac);
  if (anchorMac(key, anchor.count, macAt(anchor.count)) === anchor.mac) return null;
  if (redactedBefore(entries, anchor.count).some((mac) => anchorMac(key, anchor.count, mac) === anchor.mac))
    return null;
  return {
    seq: anchor.count,
    kind: 'recomputed',
    message: `entry ${anchor.count} differs from the head anchored in ${where}: the entries up to it were rewritten and the chain recomputed`,
  };
}

/** The macs that `audit.redacted` entries after entry `count` say it had before they rewrote it. */
function redactedBefore(entries: AuditEntry[], count: number): string[] {
  const out: string[] = [];
  for (const e of entries.slice(count)) {
    if (e.action !== 'audit.redacted') continue;
    const { from, macsBefore } = e.details as { from?: unknown; macsBefore?: unknown };
    if (typeof from !== 'number' || !Array.isArray(macsBefore) || from > count) continue;
    const mac = macsBefore[count - from];
    if (typeof mac === 'string') out.push(mac);
  }
  return out;
}
