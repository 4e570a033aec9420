/**
 * Redacting audit entries (src/app/privacy/erasure/audit-redaction.ts) on a real trail: the
 * chosen entries' details are replaced, the chain and head anchor recomputed so `verify` is
 * clean, and an `audit.redacted` entry names the entries and the head before; a trail that does
 * not verify is left exactly as it is, and so is one with nothing to redact.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { AuditTrail } from '../../src/app/privacy/audit-trail.js';
import { redactAuditEntries } from '../../src/app/privacy/erasure/audit-redaction.js';
import { makeTempDir, removeDir } from '../engine/helpers.js';

let dir: string;
let trail: AuditTrail;

beforeEach(async () => {
  dir = await makeTempDir('audit-redaction');
  trail = new AuditTrail(path.join(dir, 'privacy'), 'app');
  trail.append('backup.completed', { paths: ['/home/me'] });
  trail.append('erase.path', { requestId: 'r1', path: '/home/me/Zorblax' });
  trail.append('keys.added', { keySlot: 'k' });
});
afterEach(async () => {
  await removeDir(dir);
});

const dropPath = (e: { action: string; details: Record<string, unknown> }) =>
  e.action === 'erase.path' && typeof e.details.path === 'string'
    ? { requestId: e.details.requestId, pathHash: 'h' }
    : undefined;

it('replaces the details, keeps the chain verifying and records the redaction', async () => {
  const headBefore = trail.entries().at(-1)?.hash;
  expect(redactAuditEntries(trail, dropPath, 'test')).toEqual({ redacted: [2], problem: null });
  expect(trail.verify()).toMatchObject({ ok: true, entries: 4 });
  const entries = trail.entries();
  expect(entries[1]?.details).toEqual({ requestId: 'r1', pathHash: 'h' });
  expect(entries[3]).toMatchObject({ action: 'audit.redacted', details: { entries: [2], reason: 'test', headBefore } });
  expect(await fs.readFile(trail.file, 'utf8')).not.toContain('Zorblax');
  // Nothing left to redact: nothing changes.
  expect(redactAuditEntries(trail, dropPath, 'test')).toEqual({ redacted: [], problem: null });
  expect(trail.entries()).toHaveLength(4);
});

it('leaves a trail that does not verify as it is', async () => {
  const text = await fs.readFile(trail.file, 'utf8');
  const tampered = text.replace('"keySlot":"k"', '"keySlot":"x"');
  await fs.writeFile(trail.file, tampered);
  const outcome = redactAuditEntries(trail, dropPath, 'test');
  expect(outcome.redacted).toEqual([]);
  expect(outcome.problem).toMatch(/does not verify/);
  expect(await fs.readFile(trail.file, 'utf8')).toBe(tampered);
});
