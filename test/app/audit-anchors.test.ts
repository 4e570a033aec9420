/**
 * The audit trail against the heads anchored in a real repository (src/app/privacy/audit-anchors.ts,
 * src/app/services/audit.ts): a backup anchors the trail; then a trail rewritten consistently (plain
 * chain and head recomputed, or even re-mac'd with the key from the data folder), truncated to one
 * entry, or deleted with its head fails verification with what was found, and a legitimate erasure
 * redaction still verifies with its `audit.redacted` entry on the record.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { chainMac } from '../../src/app/privacy/audit-key.js';
import { type AuditEntry, entryHash, GENESIS } from '../../src/app/privacy/audit-trail.js';
import { redactAuditEntries } from '../../src/app/privacy/erasure/audit-redaction.js';
import { openPrivacyRecords, type PrivacyRecords } from '../../src/app/privacy/index.js';
import { type AnchorRepository, verifyAuditTrail } from '../../src/app/services/audit.js';
import { prepareBackup, runBackup } from '../../src/app/services/backup.js';
import type { RepositoryRecords } from '../../src/app/services/repository-records.js';
import type { Repository } from '../../src/engine/repo/repository.js';
import { initLocalRepo, makeTempDir, removeDir } from '../engine/helpers.js';

let dir: string;
let records: PrivacyRecords;
let repo: Repository;
let anchored: AnchorRepository;
let warnings: string[];

beforeEach(async () => {
  dir = await makeTempDir('audit-anchors');
  records = openPrivacyRecords(path.join(dir, 'data'), 'cli');
  ({ repo } = await initLocalRepo(dir));
  anchored = { id: repo.config.id, label: 'Disk', keys: repo.keys, listSnapshots: () => repo.listSnapshots() };
  warnings = [];
  fs.mkdirSync(path.join(dir, 'src'));
  fs.writeFileSync(path.join(dir, 'src', 'a.txt'), 'hello');
  records.audit.append('settings.changed', { n: 1 });
  records.audit.append('erase.path', { requestId: 'r1', path: '/home/me/Zorblax' });
  records.audit.append('settings.changed', { n: 2 });
});
afterEach(async () => {
  await repo.close();
  await removeDir(dir);
});

async function backUp(): Promise<void> {
  const via: RepositoryRecords = { privacy: () => records, warn: (m) => warnings.push(m) };
  await runBackup(repo, prepareBackup({ paths: [path.join(dir, 'src')] }, undefined), { records: via });
}

const lines = () => fs.readFileSync(records.audit.file, 'utf8').trim().split('\n');
const parsed = () => lines().map((l) => JSON.parse(l) as AuditEntry);

/** Writes `entries` with the plain chain (and, given a key, the macs) recomputed, and a matching head. */
function rewrite(entries: AuditEntry[], key?: Buffer): void {
  let prev = GENESIS;
  let prevMac = GENESIS;
  const out = entries.map((e) => {
    const body = { ...e, prev };
    const hash = entryHash(body);
    const mac = key ? chainMac(key, prevMac, hash) : e.mac;
    prev = hash;
    prevMac = mac;
    return { ...body, hash, mac };
  });
  fs.writeFileSync(records.audit.file, out.map((e) => `${JSON.stringify(e)}\n`).join(''));
  const last = out.at(-1) as AuditEntry;
  fs.writeFileSync(records.audit.headFile, `${JSON.stringify({ seq: last.seq, hash: last.hash, mac: last.mac })}\n`);
}

const folderKey = () => Buffer.from(fs.readFileSync(path.join(records.dir, 'audit.key'), 'utf8').trim(), 'hex');

it('anchors the head in the backup and verifies against it', async () => {
  await backUp();
  const [snapshot] = await repo.listSnapshots();
  expect(snapshot?.audit).toMatchObject({ count: 3 });
  const result = await verifyAuditTrail(records, [anchored]);
  expect(result).toMatchObject({ ok: true, problem: null });
  expect(result.anchors).toEqual([
    { repositoryId: repo.config.id, label: 'Disk', anchor: expect.objectContaining({ count: 3 }), problem: null },
  ]);
  expect(warnings).toEqual([]);
});

it('fails a trail whose plain chain and head were recomputed after an edit', async () => {
  await backUp();
  const entries = parsed();
  (entries[0] as AuditEntry).details = { n: 99 };
  rewrite(entries);
  const result = await verifyAuditTrail(records, [anchored]);
  expect(result).toMatchObject({ ok: false, problem: { seq: 1, kind: 'forged' } });
});

it('fails a trail re-mac’d with the key from the data folder: the repository anchor differs', async () => {
  await backUp();
  const entries = parsed();
  (entries[0] as AuditEntry).details = { n: 99 };
  rewrite(entries, folderKey());
  expect(records.audit.verify().ok).toBe(true); // the folder alone cannot tell
  const result = await verifyAuditTrail(records, [anchored]);
  expect(result).toMatchObject({ ok: false, problem: { seq: 3, kind: 'recomputed' } });
  expect(result.problem?.message).toContain('repository "Disk"');
});

it('fails a trail truncated to one entry with its head rewritten', async () => {
  await backUp();
  rewrite(parsed().slice(0, 1), folderKey());
  expect(records.audit.verify().ok).toBe(true);
  const result = await verifyAuditTrail(records, [anchored]);
  expect(result).toMatchObject({ ok: false, problem: { seq: 2, kind: 'truncated' } });
  expect(result.problem?.message).toContain('has 1 entries');
});

it('fails when the trail, its head and its key were deleted', async () => {
  await backUp();
  for (const f of ['audit.jsonl', 'audit.head.json', 'audit.key']) fs.rmSync(path.join(records.dir, f));
  records = openPrivacyRecords(path.join(dir, 'data'), 'cli');
  const result = await verifyAuditTrail(records, [anchored]);
  expect(result).toMatchObject({ ok: false, problem: { seq: 1, kind: 'deleted' } });
  expect(result.problem?.message).toContain('the trail file is missing');
});

it('verifies after a legitimate erasure redaction, which stays on the record', async () => {
  await backUp();
  const outcome = redactAuditEntries(
    records.audit,
    (e) => (e.action === 'erase.path' ? { requestId: e.details.requestId, pathHash: 'h' } : undefined),
    'erasure',
  );
  expect(outcome).toEqual({ redacted: [2], problem: null });
  const result = await verifyAuditTrail(records, [anchored]);
  expect(result).toMatchObject({ ok: true, problem: null });
  expect(result.anchors[0]?.anchor?.count).toBe(3);
  const last = records.audit.entries().at(-1);
  expect(last).toMatchObject({ action: 'audit.redacted', details: { entries: [2], from: 2 } });
  expect(fs.readFileSync(records.audit.file, 'utf8')).not.toContain('Zorblax');
});

it('does not anchor a trail that does not verify, and says so', async () => {
  const entries = parsed();
  (entries[1] as AuditEntry).details = { n: 99 };
  rewrite(entries);
  await backUp();
  const [snapshot] = await repo.listSnapshots();
  expect(snapshot?.audit).toBeUndefined();
  expect(warnings.join('\n')).toContain('does not verify');
});

it('says a repository holds no anchor yet before the first backup', async () => {
  const result = await verifyAuditTrail(records, [anchored]);
  expect(result).toMatchObject({ ok: true, anchors: [{ anchor: null, problem: null }] });
});
