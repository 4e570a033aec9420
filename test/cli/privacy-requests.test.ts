/**
 * The controller's details, the transfer instruction and the requests register through the
 * `cairn` CLI (run from source with tsx) on a temp data folder: `privacy controller` sets and
 * shows them (and refuses a name without a contact), `privacy transfer` revokes and gives the
 * instruction of a repository made outside the chosen region, and `privacy requests` records,
 * lists (an old request overdue), extends, refuses, links an export and closes requests; the
 * records of processing and the export show the result. Each run of `cairn` starts tsx (seconds
 * on a busy machine), hence the long test timeouts.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readZip } from '../../src/app/privacy/zip.js';
import { makeTempDir, removeDir } from '../engine/helpers.js';
import { type Run, cairn as runCairn } from '../support/cli.js';

let dir: string;
let dataDir: string;

function cairn(args: string[], repository?: string): Run {
  return runCairn([...args, '--json'], { password: 'requests test', dataDir, repository });
}

function ok<T>(args: string[], repository?: string): T {
  const r = cairn(args, repository);
  expect(r.status, `exit ${r.status}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout) as T;
}

function fails(args: string[], pattern: RegExp): void {
  const r = cairn(args);
  expect(r.status).not.toBe(0);
  expect(r.stderr).toMatch(pattern);
}

beforeAll(async () => {
  dir = await makeTempDir('cli-requests');
  dataDir = path.join(dir, 'app-data');
});
afterAll(() => removeDir(dir));

type Request = { id: string; status: string; dueOn: string; overdue: boolean; links: { kind: string }[] };

describe('cairn privacy controller, transfer and requests', () => {
  it('sets the controller and gives/revokes the instruction for a repository outside the chosen region', () => {
    fails(['privacy', 'controller', '--controller-name', 'Muster GmbH'], /controller's contact/);
    const set = ok<{ name: string; dpoContact: string | null }>([
      'privacy',
      'controller',
      '--controller-name',
      'Muster GmbH',
      '--controller-contact',
      'privacy@muster.example',
      '--dpo-contact',
      'dpo@muster.example',
    ]);
    expect(set).toMatchObject({ name: 'Muster GmbH', dpoContact: 'dpo@muster.example' });

    ok(['privacy', 'region', '--set', 'EU']);
    const repo = path.join(dir, 'us-repo');
    ok(['init', '--region', 'US', '--allow-region-transfer', 'offsite copy'], repo);
    const locations = ok<{ locations: { repositoryId: string }[] }>(['privacy', 'region']).locations;
    const id = (locations[0]?.repositoryId ?? '').slice(0, 8);
    expect(ok<{ instruction: string }>(['privacy', 'transfer', id])).toMatchObject({ instruction: 'offsite copy' });
    expect(ok<{ instruction: null; revokedAt: string }>(['privacy', 'transfer', id, '--revoke'])).toMatchObject({
      instruction: null,
      revokedAt: expect.any(String),
    });
    ok(['privacy', 'transfer', id, '--instruct', 'contract renewed']);
    const record = ok<{
      controller: { name: string };
      locations: { transferInstruction: { instruction: string } | null }[];
    }>(['privacy', 'record']);
    expect(record.controller.name).toBe('Muster GmbH');
    expect(record.locations[0]?.transferInstruction?.instruction).toBe('contract renewed');
  }, 240_000);

  it('records, extends, refuses, links and closes requests; an old one shows overdue', async () => {
    fails(['privacy', 'requests', 'add', '--kind', 'deletion', '--requester', 'x'], /unknown kind of request/);
    const old = ok<Request>([
      'privacy',
      'requests',
      'add',
      '--kind',
      'access',
      '--requester',
      'C-7',
      '--received',
      '2020-01-31',
    ]);
    expect(old).toMatchObject({ dueOn: '2020-02-29', overdue: true, status: 'open' });
    const recent = ok<Request>(['privacy', 'requests', 'add', '--kind', 'portability', '--requester', 'C-8']);
    const listed = ok<{ requests: Request[]; summary: { open: number; overdue: number } }>([
      'privacy',
      'requests',
      'list',
    ]);
    expect(listed.summary).toMatchObject({ open: 2, overdue: 1 });
    expect(listed.requests.map((r) => r.id)).toEqual([old.id, recent.id]);

    fails(['privacy', 'requests', 'extend', old.id, '--because', 'busy'], /within the first month/);
    const extended = ok<Request>(['privacy', 'requests', 'extend', recent.id, '--because', 'large archive']);
    expect(extended.dueOn > recent.dueOn).toBe(true);

    const out = path.join(dir, 'export-c7.zip');
    ok(['privacy', 'export', '--out', out]);
    const linked = ok<Request>(['privacy', 'requests', 'link', old.id, '--export', out]);
    expect(linked.links).toMatchObject([{ kind: 'export' }]);
    expect(ok<Request>(['privacy', 'requests', 'done', old.id, '--note', 'sent'])).toMatchObject({ status: 'done' });
    fails(['privacy', 'requests', 'refuse', recent.id], /--because/);
    expect(
      ok<Request>(['privacy', 'requests', 'refuse', recent.id, '--because', 'identity not confirmed']),
    ).toMatchObject({
      status: 'refused',
    });
    expect(ok<{ requests: Request[] }>(['privacy', 'requests', 'list']).requests).toEqual([]);

    const after = path.join(dir, 'after.zip');
    ok(['privacy', 'export', '--out', after]);
    const register = JSON.parse(
      readZip(await fs.readFile(after))
        .get('requests.json')
        ?.toString() ?? '[]',
    ) as Request[];
    expect(register.map((r) => r.status).sort()).toEqual(['done', 'refused']);
  }, 240_000);
});
