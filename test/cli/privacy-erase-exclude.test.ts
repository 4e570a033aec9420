/**
 * `cairn privacy erase --path` and the file still on disk, end to end from source: with the app's
 * catalog in the data folder (made by the app's engine host, then closed), the CLI says the path
 * still exists and adds it to the excludes of the repository's folder that holds it; with
 * `--no-exclude` it leaves the folder alone and says the next backup stores it again; while the
 * app holds its catalog it says it could not change the app's folders.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Catalog } from '../../src/app/catalog/catalog.js';
import type { EngineHost } from '../../src/app/host/engine-host.js';
import { cairn } from '../support/cli.js';
import { backUp, openEngineHost, repositoryWithSource } from '../support/host.js';

let tmp: string;
let dataDir: string;
let home: string;
let repoDir: string;
let host: EngineHost | undefined;

beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'cairn-cli-erase-exclude-'));
  dataDir = path.join(tmp, 'data');
  home = path.join(tmp, 'home');
  repoDir = path.join(tmp, 'repo');
  await fs.mkdir(path.join(home, 'medical'), { recursive: true });
  await fs.mkdir(path.join(home, 'holiday'), { recursive: true });
  await fs.writeFile(path.join(home, 'medical', 'scan.pdf'), 'scan');
  await fs.writeFile(path.join(home, 'holiday', 'photo.jpg'), 'photo');
  host = openEngineHost(dataDir);
  const { repositoryId } = await repositoryWithSource(host, { location: repoDir, source: home });
  await backUp(host, repositoryId);
  await host.close();
  host = undefined;
});
afterEach(async () => {
  await host?.close();
  await fs.rm(tmp, { recursive: true, force: true });
});

function excludes(): string[] {
  const catalog = Catalog.open(dataDir);
  try {
    return catalog.listSources()[0]?.excludes ?? [];
  } finally {
    catalog.close();
  }
}

function erase(target: string, ...more: string[]) {
  return cairn(['privacy', 'erase', '-r', repoDir, '--path', target, ...more], { password: 'pw', dataDir });
}

describe('cairn privacy erase --path, the path still on disk', () => {
  it('excludes it from the app folder that holds it, or leaves it with --no-exclude', { timeout: 120_000 }, () => {
    const medical = path.join(home, 'medical');
    const r = erase(medical);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${medical} still exists on this computer.`);
    expect(r.stdout).toContain(`It is now excluded from the backups of ${home}`);
    expect(r.stdout).toContain('your own setting');
    expect(excludes()).toEqual([medical]);

    const holiday = path.join(home, 'holiday');
    const kept = erase(holiday, '--no-exclude', '--json');
    expect(kept.status, kept.stderr).toBe(0);
    expect(JSON.parse(kept.stdout).onDisk).toMatchObject({
      stillOnDisk: true,
      catalogReachable: true,
      excludedFrom: [],
      notExcludedFrom: [{ path: home }],
    });
    expect(excludes()).toEqual([medical]);
  });

  it('says so while the app holds its catalog', { timeout: 120_000 }, () => {
    host = openEngineHost(dataDir);
    const r = erase(path.join(home, 'medical'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/the app's backed-up folders could not be changed/);
  });
});
