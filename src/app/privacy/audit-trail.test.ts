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

  it('detects an edited entry whose hash was recomputed (its mac no longer matches)', () => {
    fill(4);
    const l = lines();
    const e = JSON.parse(l[1] as string) as AuditEntry;
    e.details = { n: 99 };
    e.hash = entryHash(e);
    l[1] = JSON.stringify(e);
    writeLines(l);
    expect(trail.verify()).toMatchObject({ ok: false, problem: { seq: 2, kind: 'forged' } });
  });

  it('detects a rewritten last entry (its mac no longer matches)', () => {
    fill(3);
    const l = lines();
    const e = JSON.parse(l[2] as string) as AuditEntry;
    e.details = { n: 99 };
    e.hash = entryHash(e);
    l[2] = JSON.stringify(e);
    writeLines(l);
    expect(trail.verify()).toMatchObject({ ok: false, problem: { seq: 3, kind: 'forged' } });
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

describe('a trail written before entries were keyed', () => {
  function legacy(n: number): void {
    let prev = GENESIS;
    const out: string[] = [];
    for (let seq = 1; seq <= n; seq++) {
      const body = {
        seq,
        at: '2026-01-01T00:00:00.000Z',
        actor: 'cli',
        action: 'test.entry',
        details: { n: seq },
        prev,
      };
      const hash = entryHash(body as unknown as AuditEntry);
      out.push(JSON.stringify({ ...body, hash }));
      prev = hash;
    }
    writeLines(out);
  }

  it('is given macs once, on the record as audit.keyed, when its key is new', () => {
    legacy(3);
    expect(trail.verify()).toMatchObject({ ok: true, entries: 4 });
    expect(trail.entries().at(-1)).toMatchObject({ seq: 4, action: 'audit.keyed', details: { entries: 3 } });
    expect(trail.entries().every((e) => /^[0-9a-f]{64}$/.test(e.mac))).toBe(true);
  });

  it('is reported, not re-keyed, when its macs were stripped after it was keyed', () => {
    fill(3);
    const stripped = lines().map((l) => {
      const { mac: _mac, ...rest } = JSON.parse(l) as AuditEntry;
      return JSON.stringify(rest);
    });
    writeLines(stripped);
    const again = new AuditTrail(dir, 'cli');
    expect(again.verify()).toMatchObject({ ok: false, problem: { seq: 1, kind: 'forged' } });
  });
});
