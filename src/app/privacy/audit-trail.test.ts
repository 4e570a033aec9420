/**
 * The audit trail on real files: appends form a hash chain anchored by the head file; verify()
 * names the first edited, removed, reordered or truncated entry; an append interrupted before the
 * anchor was rewritten is accepted and continued; appends from several processes at once stay one
 * unbroken chain (the cross-process lock).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AUDIT_HEAD_FILE, type AuditEntry, AuditTrail, entryHash, GENESIS } from './audit-trail.js';

let dir: string;
let trail: AuditTrail;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-audit-'));
  trail = new AuditTrail(dir, 'cli');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function lines(): string[] {
  return fs.readFileSync(trail.file, 'utf8').trimEnd().split('\n');
}
function writeLines(l: string[]): void {
  fs.writeFileSync(trail.file, `${l.join('\n')}\n`);
}
function fill(n: number): void {
  for (let i = 1; i <= n; i++) trail.append('backup.completed', { n: i, paths: ['/home/me/Documents'] });
}

describe('audit trail', () => {
  it('chains entries and verifies an intact trail', () => {
    fill(3);
    const entries = trail.entries();
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(entries[0]?.prev).toBe(GENESIS);
    expect(entries[1]?.prev).toBe(entries[0]?.hash);
    for (const e of entries) expect(entryHash(e)).toBe(e.hash);
    expect(entries[0]).toMatchObject({ actor: 'cli', action: 'backup.completed', details: { n: 1 } });
    expect(trail.verify()).toEqual({ ok: true, entries: 3, lastSeq: 3, problem: null });
    expect(trail.list({ limit: 2 }).map((e) => e.seq)).toEqual([3, 2]);
    expect(trail.list({ before: 3 }).map((e) => e.seq)).toEqual([2, 1]);
  });

  it('an empty trail verifies', () => {
    expect(trail.verify()).toMatchObject({ ok: true, entries: 0 });
  });

  it('refuses action names that are not dotted', () => {
    expect(() => trail.append('Backup done', {})).toThrow(/not an audit action/);
  });

  it('detects an edited entry', () => {
    fill(4);
    const l = lines();
    l[1] = (l[1] as string).replace('"n":2', '"n":20');
    writeLines(l);
    expect(trail.verify()).toMatchObject({ ok: false, problem: { seq: 2, kind: 'edited' } });
  });

  it('detects an edited entry whose hash was recomputed (the next entry names another predecessor)', () => {
    fill(4);
    const l = lines();
    const e = JSON.parse(l[1] as string) as AuditEntry;
    e.details = { n: 99 };
    e.hash = entryHash(e);
    l[1] = JSON.stringify(e);
    writeLines(l);
    expect(trail.verify()).toMatchObject({ ok: false, problem: { seq: 2, kind: 'edited' } });
  });

  it('detects a rewritten last entry through the head anchor', () => {
    fill(3);
    const l = lines();
    const e = JSON.parse(l[2] as string) as AuditEntry;
    e.details = { n: 99 };
    e.hash = entryHash(e);
    l[2] = JSON.stringify(e);
    writeLines(l);
    expect(trail.verify()).toMatchObject({ ok: false, problem: { seq: 3, kind: 'edited' } });
  });

  it('detects a removed entry', () => {
    fill(5);
    const l = lines();
    l.splice(2, 1);
    writeLines(l);
    expect(trail.verify()).toMatchObject({ ok: false, problem: { seq: 3, kind: 'removed' } });
  });

  it('detects removed last entries (truncation) through the head anchor', () => {
    fill(5);
    writeLines(lines().slice(0, 3));
    expect(trail.verify()).toMatchObject({ ok: false, problem: { seq: 4, kind: 'truncated' } });
    fs.writeFileSync(trail.file, '');
    expect(trail.verify()).toMatchObject({ ok: false, problem: { seq: 1, kind: 'truncated' } });
  });

  it('detects reordered entries', () => {
    fill(5);
    const l = lines();
    [l[1], l[2]] = [l[2] as string, l[1] as string];
    writeLines(l);
    expect(trail.verify()).toMatchObject({ ok: false, problem: { seq: 3, kind: 'reordered' } });
  });

  it('detects an unreadable line and a missing head anchor', () => {
    fill(3);
    const l = lines();
    l[1] = '{not json';
    writeLines(l);
    expect(trail.verify()).toMatchObject({ ok: false, problem: { seq: 2, kind: 'unreadable' } });
  });

  it('reports a missing head anchor (removed last entries could not be detected)', () => {
    fill(3);
    fs.rmSync(path.join(dir, AUDIT_HEAD_FILE));
    expect(trail.verify()).toMatchObject({ ok: false, problem: { seq: 3, kind: 'truncated' } });
  });

  it('accepts an anchor one entry behind (append interrupted before the anchor) and continues the chain', () => {
    fill(2);
    const head = fs.readFileSync(path.join(dir, AUDIT_HEAD_FILE), 'utf8');
    trail.append('consent.given', { purpose: 'product-news' });
    fs.writeFileSync(path.join(dir, AUDIT_HEAD_FILE), head); // as if the process died before rewriting it
    expect(trail.verify()).toMatchObject({ ok: true, entries: 3 });
    const next = trail.append('consent.withdrawn', { purpose: 'product-news' });
    expect(next.seq).toBe(4);
    expect(trail.verify()).toMatchObject({ ok: true, entries: 4 });
  });

  it('keeps one chain when several processes append at the same time', async () => {
    const module = fileURLToPath(new URL('./audit-trail.ts', import.meta.url));
    const script = `
      const { AuditTrail } = await import(${JSON.stringify(module)});
      const t = new AuditTrail(${JSON.stringify(dir)}, 'app');
      for (let i = 0; i < 25; i++) t.append('settings.changed', { worker: process.argv[1], i });
    `;
    const run = (worker: string) =>
      new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, worker], {
          stdio: 'inherit',
        });
        child.on('exit', resolve);
      });
    const codes = await Promise.all(['a', 'b', 'c'].map(run));
    expect(codes).toEqual([0, 0, 0]);
    const result = trail.verify();
    expect(result).toMatchObject({ ok: true, entries: 75, lastSeq: 75 });
    const perWorker = new Map<string, number>();
    for (const e of trail.entries()) {
      const w = String(e.details.worker);
      perWorker.set(w, (perWorker.get(w) ?? 0) + 1);
    }
    expect(Object.fromEntries(perWorker)).toEqual({ a: 25, b: 25, c: 25 });
  }, 60_000);
});
