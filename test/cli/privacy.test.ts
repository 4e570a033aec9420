/**
 * The privacy records through the `cairn` CLI (run from source with tsx), on a fresh repository
 * and a temp data folder: two recovery points of a tree holding secret.txt; `privacy export` writes
 * a ZIP (read back with Python's zipfile) whose manifest lists every file with its true SHA-256 and
 * which holds the consent ledger, the audit trail and the file index but not the file's content;
 * `audit verify` passes, then fails naming the entry after an edit, a removal of the last entry
 * and a swap. Also: region pinning on init, consent give/withdraw, incidents by hand and from a
 * damaged pack found by `check --read-data`.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flipByte, largestFile, makeTempDir, removeDir } from '../engine/helpers.js';
import { type Run, cairn as runCairn } from '../support/cli.js';

const PASSWORD = 'privacy test password';
const SECRET = 'the launch code is 0000 — TOP SECRET';

let dir: string;
let dataDir: string;
let repoDir: string;
let src: string;

function cairn(args: string[]): Run {
  return runCairn(args, { password: PASSWORD, dataDir });
}

function ok(r: Run): Run {
  expect(r.status, `exit ${r.status}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`).toBe(0);
  return r;
}

function json<T>(r: Run): T {
  return JSON.parse(r.stdout) as T;
}

/** Every member of a ZIP as name → base64 bytes, read by Python's zipfile (which checks CRCs). */
function unzip(file: string): Map<string, Buffer> {
  const py = spawnSync(
    'python3',
    [
      '-c',
      'import sys,zipfile,json,base64\nz=zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nprint(json.dumps({n:base64.b64encode(z.read(n)).decode() for n in z.namelist()}))',
      file,
    ],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  expect(py.status, py.stderr).toBe(0);
  return new Map(
    Object.entries(JSON.parse(py.stdout) as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64')]),
  );
}

const auditFile = () => path.join(dataDir, 'privacy', 'audit.jsonl');

async function auditLines(): Promise<string[]> {
  return (await fs.readFile(auditFile(), 'utf8')).trimEnd().split('\n');
}

beforeAll(async () => {
  dir = await makeTempDir('cli-privacy');
  dataDir = path.join(dir, 'app-data');
  repoDir = path.join(dir, 'repo');
  src = path.join(dir, 'tree');
  await fs.mkdir(path.join(src, 'notes'), { recursive: true });
  await fs.writeFile(path.join(src, 'secret.txt'), SECRET);
  await fs.writeFile(path.join(src, 'notes', 'todo.txt'), 'buy milk');
});
afterAll(() => removeDir(dir));

describe('cairn privacy records (issue 5 check)', () => {
  let snapshots: string[];

  it('two recovery points of a tree holding secret.txt', () => {
    ok(cairn(['init', '--repo', repoDir]));
    const first = json<{ id: string }>(ok(cairn(['backup', '--repo', repoDir, '--json', src])));
    spawnSync('touch', ['-d', '2020-01-01', path.join(src, 'notes', 'todo.txt')]);
    const second = json<{ id: string }>(ok(cairn(['backup', '--repo', repoDir, '--json', src])));
    snapshots = [first.id, second.id];
    expect(new Set(snapshots).size).toBe(2);
  });

  it('the export ZIP has a manifest with true SHA-256 sums, the consent ledger, the audit trail and the file index, but no file content', () => {
    const out = path.join(dir, 'my-data.zip');
    const result = json<{ path: string; files: { name: string; sha256: string }[] }>(
      ok(cairn(['privacy', 'export', '--repo', repoDir, '--out', out, '--json'])),
    );
    expect(result.path).toBe(out);
    const files = unzip(out);
    const names = [...files.keys()];
    expect(names).toEqual(
      expect.arrayContaining(['README.txt', 'manifest.json', 'SHA256SUMS', 'consent-ledger.json', 'audit-trail.jsonl']),
    );

    const manifest = JSON.parse((files.get('manifest.json') as Buffer).toString()) as {
      files: { name: string; bytes: number; sha256: string }[];
    };
    expect(manifest.files.map((f) => f.name).sort()).toEqual(
      names.filter((n) => n !== 'manifest.json' && n !== 'SHA256SUMS').sort(),
    );
    for (const f of manifest.files) {
      const bytes = files.get(f.name) as Buffer;
      expect(crypto.createHash('sha256').update(bytes).digest('hex'), f.name).toBe(f.sha256);
      expect(bytes.length).toBe(f.bytes);
    }

    const ledger = JSON.parse((files.get('consent-ledger.json') as Buffer).toString()) as {
      purpose: string;
      given: boolean;
      via: string;
    }[];
    expect(ledger).toEqual([expect.objectContaining({ purpose: 'backup', given: true, via: 'cli' })]);

    const audit = (files.get('audit-trail.jsonl') as Buffer)
      .toString()
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(audit.map((e) => e.action)).toEqual(
      expect.arrayContaining(['repository.created', 'location.added', 'consent.given', 'backup.completed']),
    );
    expect(audit.filter((e) => e.action === 'backup.completed').map((e) => e.details.snapshotId)).toEqual(snapshots);

    const repoPrefix = names.find((n) => n.endsWith('/recovery-points.json'))?.replace('/recovery-points.json', '');
    expect(repoPrefix).toBeDefined();
    const points = JSON.parse((files.get(`${repoPrefix}/recovery-points.json`) as Buffer).toString()) as {
      id: string;
    }[];
    expect(points.map((p) => p.id).sort()).toEqual([...snapshots].sort());
    for (const id of snapshots) {
      const index = (files.get(`${repoPrefix}/${id.slice(0, 16)}/file-index.csv`) as Buffer).toString();
      expect(index).toContain(`${src.split(path.sep).join('/')}/secret.txt,file,${Buffer.byteLength(SECRET)},`);
    }
    for (const [name, bytes] of files) expect(bytes.includes(Buffer.from('TOP SECRET')), name).toBe(false);

    // an existing file is never replaced
    const again = cairn(['privacy', 'export', '--out', out]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/already exists/);
  });

  it('audit verify passes, and names the entry after an edit, a removal of the last entry, and a swap', async () => {
    const intact = ok(cairn(['audit', 'verify']));
    expect(intact.stdout).toMatch(/intact/);
    const listed = json<{ seq: number; action: string }[]>(ok(cairn(['audit', 'list', '--json'])));
    expect(listed[0]?.action).toBe('export.created');
    const original = await fs.readFile(auditFile(), 'utf8');
    const lines = await auditLines();
    expect(lines.length).toBeGreaterThanOrEqual(6);

    const edited = [...lines];
    edited[3] = (edited[3] as string).replace(/"at":"[^"]+"/, '"at":"2020-01-01T00:00:00.000Z"');
    expect(edited[3]).not.toBe(lines[3]);
    await fs.writeFile(auditFile(), `${edited.join('\n')}\n`);
    let r = cairn(['audit', 'verify']);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/entry 4 edited/);
    r = cairn(['audit', 'verify', '--json']);
    expect(json<{ ok: boolean; problem: { seq: number; kind: string } }>(r)).toMatchObject({
      ok: false,
      problem: { seq: 4, kind: 'edited' },
    });

    await fs.writeFile(auditFile(), `${lines.slice(0, -1).join('\n')}\n`);
    r = cairn(['audit', 'verify']);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`entry ${lines.length} truncated`));

    const swapped = [...lines];
    [swapped[1], swapped[2]] = [swapped[2] as string, swapped[1] as string];
    await fs.writeFile(auditFile(), `${swapped.join('\n')}\n`);
    r = cairn(['audit', 'verify']);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/reordered/);

    await fs.writeFile(auditFile(), original);
    ok(cairn(['audit', 'verify']));
  });
});

describe('cairn privacy: regions, consent, incidents', () => {
  it('pins the chosen region: another region needs an explicit instruction, which is audited', () => {
    ok(cairn(['privacy', 'region', '--set', 'EU']));
    const refused = cairn(['init', '--repo', path.join(dir, 'us-repo'), '--region', 'US']);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/chosen region is EU/);
    ok(
      cairn(['init', '--repo', path.join(dir, 'us-repo'), '--region', 'US', '--allow-region-transfer', 'office copy']),
    );
    const entries = json<{ action: string; details: Record<string, unknown> }[]>(
      ok(cairn(['audit', 'list', '--json'])),
    );
    expect(entries.find((e) => e.action === 'region.instruction')?.details).toMatchObject({
      from: 'EU',
      to: 'US',
      instruction: 'office copy',
    });
    // the default region of a new repository is the chosen one
    const eu = json<{ region: string }>(ok(cairn(['init', '--repo', path.join(dir, 'eu-repo'), '--json'])));
    expect(eu.region).toBe('EU');
    const regions = json<{ chosen: string; locations: { region: string }[] }>(
      ok(cairn(['privacy', 'region', '--json'])),
    );
    expect(regions.chosen).toBe('EU');
    expect(regions.locations.map((l) => l.region)).toEqual(['this-device', 'US', 'EU']);
  });

  it('gives and withdraws consent in one step each; usage statistics stay empty without consent', () => {
    const empty = { backups: '0', restores: '0', largestBackup: 'none' };
    let usage = json<{ enabled: boolean; payload: unknown }>(ok(cairn(['privacy', 'usage', '--json'])));
    expect(usage).toMatchObject({ enabled: false, payload: empty });
    ok(cairn(['consent', 'give', 'usage-statistics']));
    ok(cairn(['backup', '--repo', repoDir, '-q', src]));
    usage = json(ok(cairn(['privacy', 'usage', '--json'])));
    expect(usage).toMatchObject({ enabled: true, payload: { backups: '1-5', restores: '0', largestBackup: '<1MiB' } });
    expect(JSON.stringify(usage)).not.toContain(dir);
    const text = ok(cairn(['privacy', 'usage'])).stdout;
    expect(text).toMatch(/after randomised response/);
    expect(text).toMatch(/ε = ln 3 ≈ 1\.10 per counter, 3\.30 per report/);
    ok(cairn(['consent', 'withdraw', 'usage-statistics']));
    usage = json(ok(cairn(['privacy', 'usage', '--json'])));
    expect(usage).toMatchObject({ enabled: false, payload: empty });
    const states = json<{ purpose: string; given: boolean }[]>(ok(cairn(['consent', 'list', '--json'])));
    expect(states.map((s) => [s.purpose, s.given])).toEqual([
      ['backup', true],
      ['usage-statistics', false],
    ]);
    expect(cairn(['consent', 'give', 'marketing']).status).toBe(1);
    // Product news was retired: it is refused like any unknown purpose.
    expect(cairn(['consent', 'give', 'product-news']).stderr).toMatch(/unknown purpose "product-news"/);
  });

  it('opens, lists and closes an incident by hand', () => {
    const opened = json<{ id: string; hoursLeft: number }>(
      ok(cairn(['incident', 'open', '--title', 'Laptop stolen', '--category', 'documents', '--json'])),
    );
    expect(opened.hoursLeft).toBeGreaterThan(71);
    const list = json<{ id: string }[]>(ok(cairn(['incident', 'list', '--json'])));
    expect(list.map((i) => i.id)).toContain(opened.id);
    expect(cairn(['incident', 'close', opened.id]).status).toBe(1); // measures are required
    ok(cairn(['incident', 'close', opened.id, '--measures', 'remote wipe', '--notification', 'not-required']));
    expect(json<unknown[]>(ok(cairn(['incident', 'list', '--json'])))).toEqual([]);
  });

  it('opens an incident on its own when check finds a pack that fails authentication', async () => {
    const { file } = await largestFile(path.join(repoDir, 'data'));
    await flipByte(file, 200);
    const r = cairn(['check', '--repo', repoDir, '--read-data']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/incident .* recorded/);
    const incidents = json<{ kind: string; findings: unknown[]; encryptedUnderSecretKeys: boolean }[]>(
      ok(cairn(['incident', 'list', '--json'])),
    );
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ kind: 'authentication-failure', encryptedUnderSecretKeys: true });
    // a second check adds the finding to the same open incident
    expect(cairn(['check', '--repo', repoDir, '--read-data']).status).toBe(1);
    const after = json<{ findings: unknown[] }[]>(ok(cairn(['incident', 'list', '--json'])));
    expect(after).toHaveLength(1);
    expect(after[0]?.findings).toHaveLength(2);
  });

  it('writes the records of processing as JSON and a printable HTML page', async () => {
    const html = path.join(dir, 'record.html');
    const r = ok(cairn(['privacy', 'record', '--html', html, '--json']));
    const record = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as { chosenRegion: string; recipients: unknown[] };
    expect(record.chosenRegion).toBe('EU');
    expect(record.recipients.length).toBeGreaterThanOrEqual(3);
    const page = await fs.readFile(html, 'utf8');
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain('Records of processing activities');
    expect(page).not.toMatch(/<script/i);
  });
});
