/**
 * The app side of remote storage through the contract, with a real EngineHost and catalog in temp
 * folders: "Test connection" (`repo.testLocation`) on a folder without and with a repository, on
 * locations that cannot be used, on a refused port, an unresolvable name and a server that never
 * answers (bounded in time); the repository's kind in RepositoryInfo; storage settings kept in
 * the catalog across a restart while the credentials are held for the session only and appear in
 * no file of the data folder and no result.
 */
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineHost } from '../../src/app/host/engine-host.js';
import { testLocation } from '../../src/app/host/location-test.js';
import { createRepository, TestHost } from '../support/host.js';

const SECRET = 'pw-Zq7!never-written-anywhere';
const KEY_SECRET = 'sk-Vb3+never-written-either';

let fixture: TestHost;
let tmp: string;
let host: EngineHost;

beforeEach(async () => {
  fixture = await TestHost.open('remote-storage');
  ({ tmp, host } = fixture);
});
afterEach(() => fixture?.close());

/** Every file below `dir`, read whole (the catalog, its WAL, the privacy records…). */
async function allBytes(dir: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (const entry of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) parts.push(await fs.readFile(path.join(entry.parentPath, entry.name)));
  }
  return Buffer.concat(parts);
}

/** A TCP server on 127.0.0.1 that accepts connections and never says a word. */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('repo.testLocation', () => {
  it('reaches a folder and says whether a repository is there', async () => {
    const location = path.join(tmp, 'repo');
    expect(await host.call('repo.testLocation', { location })).toEqual({
      reachable: true,
      kind: 'local',
      location,
      repositoryExists: false,
    });
    await createRepository(host, { location });
    expect(await host.call('repo.testLocation', { location })).toMatchObject({
      reachable: true,
      repositoryExists: true,
    });
  });

  it('answers a location that cannot be used with invalid-location and the reason', async () => {
    for (const [location, reason] of [
      ['ftp://example.net/backups', /not supported/],
      ['sftp://example.net/srv/cairn', /user name/],
      ['sftp://me:secret@example.net/srv/cairn', /password must not be part of the location/],
      ['s3://s3.example.net/Not_A_Bucket', /not a valid S3 bucket name/],
    ] as const) {
      const result = await host.call('repo.testLocation', { location });
      expect(result).toMatchObject({ reachable: false, problem: 'invalid-location' });
      expect(result.reachable === false && result.message).toMatch(reason);
    }
  });

  it('answers a refused SFTP port with refused, in plain words', async () => {
    const result = await host.call('repo.testLocation', {
      location: 'sftp://u@127.0.0.1:1/x',
      credentials: { sftpPassword: SECRET },
    });
    expect(result).toMatchObject({ reachable: false, problem: 'refused' });
    expect(result.reachable === false && result.message).toMatch(/127\.0\.0\.1:1 refused the connection on port 1/);
    expect(JSON.stringify(result)).not.toContain(SECRET);
  });

  it('answers a name that does not resolve with dns', async () => {
    const result = await host.call('repo.testLocation', { location: 'sftp://u@cairn-test.invalid/x' });
    expect(result).toMatchObject({ reachable: false, problem: 'dns' });
    expect(result.reachable === false && result.message).toMatch(/could not find a server named “cairn-test\.invalid”/);
  });

  it('answers a refused S3 endpoint and an unresolvable one', async () => {
    const refused = await host.call('repo.testLocation', {
      location: 's3+http://127.0.0.1:1/bucket',
      credentials: { s3AccessKeyId: 'AKIDEXAMPLE', s3SecretAccessKey: KEY_SECRET },
    });
    expect(refused).toMatchObject({ reachable: false, problem: 'refused' });
    expect(JSON.stringify(refused)).not.toContain(KEY_SECRET);
    const unknown = await host.call('repo.testLocation', {
      location: 's3://cairn-test.invalid/bucket',
      credentials: { s3AccessKeyId: 'AKIDEXAMPLE', s3SecretAccessKey: KEY_SECRET },
    });
    expect(unknown).toMatchObject({ reachable: false, problem: 'dns' });
  });

  it('gives up on a server that never answers within its bound', async () => {
    const silent = await silentServer();
    try {
      const started = performance.now();
      const result = await testLocation(
        { location: `sftp://u@127.0.0.1:${silent.port}/x` },
        { timeoutMs: 1_500, connectTimeoutMs: 1_000 },
      );
      expect(result).toMatchObject({ reachable: false, problem: 'timeout' });
      expect(performance.now() - started).toBeLessThan(5_000);
    } finally {
      await silent.close();
    }
  });
});

describe('storage settings and credentials of a repository', () => {
  const location = 'sftp://me@nas.example.net:2222/srv/cairn';
  let id: string;

  beforeEach(() => {
    // A remote repository as the catalog holds it (reaching the server is not needed here).
    id = 'a'.repeat(64);
    host.catalog.addRepository({ id, location, label: 'NAS', region: 'EU' });
  });

  it('shows the kind of each repository', async () => {
    const local = await createRepository(host, { location: path.join(tmp, 'repo') });
    expect(local.kind).toBe('local');
    const list = await host.call('repo.list', {});
    expect(list.map((r) => [r.label, r.kind])).toEqual([
      ['NAS', 'sftp'],
      ['Disk', 'local'],
    ]);
  });

  it('keeps the settings in the catalog and the credentials for the session only, nowhere on disk', async () => {
    const saved = await host.call('repo.setStorageSettings', {
      repositoryId: id,
      storage: {
        sftp: { knownHostsFile: '/home/me/.ssh/known_hosts', acceptHostKey: `SHA256:${'A'.repeat(43)}` },
        // S3 settings do not apply to an SFTP server and are not kept.
        s3: { region: 'eu-central-1' },
        transfer: { uploadKiBps: 512, downloadKiBps: 2048, connections: 2 },
      },
      credentials: { sftpPassword: SECRET },
    });
    const settings = {
      sftp: { knownHostsFile: '/home/me/.ssh/known_hosts', acceptHostKey: `SHA256:${'A'.repeat(43)}` },
      transfer: { uploadKiBps: 512, downloadKiBps: 2048, connections: 2 },
    };
    expect(saved).toEqual({
      repositoryId: id,
      kind: 'sftp',
      location,
      settings,
      credentialsHeld: { sftpPassword: true, sftpPassphrase: false, s3AccessKeyId: false, s3SecretAccessKey: false },
    });
    expect(JSON.stringify(await host.call('repo.storageSettings', { repositoryId: id }))).not.toContain(SECRET);
    expect(JSON.stringify(await host.call('app.status', {}))).not.toContain(SECRET);

    // Only settings given are replaced; credentials given replace the held ones ({} drops them).
    await host.call('repo.setStorageSettings', { repositoryId: id, credentials: { sftpPassphrase: 'x' } });
    expect(await host.call('repo.storageSettings', { repositoryId: id })).toMatchObject({
      settings,
      credentialsHeld: { sftpPassword: false, sftpPassphrase: true },
    });
    await host.call('repo.setStorageSettings', { repositoryId: id, credentials: { sftpPassword: SECRET } });

    const bytes = await allBytes(fixture.dataDir);
    expect(bytes.includes(Buffer.from(SECRET))).toBe(false);

    // A restart: the settings are still there, the password is not.
    host = await fixture.reopen();
    const after = await host.call('repo.storageSettings', { repositoryId: id });
    expect(after.settings).toEqual(settings);
    expect(after.credentialsHeld.sftpPassword).toBe(false);
    expect((await allBytes(fixture.dataDir)).includes(Buffer.from(SECRET))).toBe(false);
  });

  it('refuses settings that are not what they claim and repositories the app does not know', async () => {
    await expect(
      host.call('repo.setStorageSettings', { repositoryId: id, storage: { sftp: { acceptHostKey: 'MD5:aa:bb' } } }),
    ).rejects.toMatchObject({ code: 'invalid-request' });
    await expect(
      host.call('repo.setStorageSettings', { repositoryId: id, storage: { transfer: { connections: 0 } } }),
    ).rejects.toMatchObject({ code: 'invalid-request' });
    await expect(host.call('repo.storageSettings', { repositoryId: 'nope' })).rejects.toMatchObject({
      code: 'not-found',
    });
  });

  it('a folder keeps no storage settings', async () => {
    const local = await host.call('repo.create', {
      location: path.join(tmp, 'repo'),
      password: 'pw',
      label: 'Disk',
      region: 'this-device',
      storage: { transfer: { uploadKiBps: 100 } },
    });
    expect(await host.call('repo.storageSettings', { repositoryId: local.id })).toMatchObject({
      kind: 'local',
      settings: {},
    });
    expect(host.catalog.getRepositoryStorage(local.id)).toBeNull();
  });

  it('erasing everything drops the credentials held', async () => {
    await host.call('repo.setStorageSettings', { repositoryId: id, credentials: { sftpPassword: SECRET } });
    host.catalog.removeRepository(id);
    await host.call('privacy.eraseAll', { confirm: 'erase everything', receipt: path.join(tmp, 'receipt.json') });
    host.catalog.addRepository({ id, location, label: 'NAS', region: 'EU' });
    expect((await host.call('repo.storageSettings', { repositoryId: id })).credentialsHeld.sftpPassword).toBe(false);
  });
});
