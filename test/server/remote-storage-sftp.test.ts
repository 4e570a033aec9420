/**
 * The app and a real OpenSSH server on 127.0.0.1 (test/support/sshd.ts), through the contract:
 * "Test connection" reports a server never seen with its key's fingerprint and reaches it once
 * that key is trusted; a known key that changed is refused whatever was trusted; a key the server
 * does not accept is an authentication failure. A repository created there keeps its storage
 * settings (key file, trusted key) in the catalog and its key passphrase for the session only:
 * after a restart it unlocks once the passphrase is given again, with a cache folder of its own.
 */
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EngineHost } from '../../src/app/host/engine-host.js';
import { TestHost } from '../support/host.js';
import { generateKey, makeRemoteRepoPath, startSshd, type TestSshd } from '../support/sshd.js';

const PASSPHRASE = 'key-passphrase-Rm2#';

describe('remote storage on an SSH server', () => {
  let sshd: TestSshd;
  let fixture: TestHost;
  let host: EngineHost;
  let emptyKnownHosts: string;
  let remote: Awaited<ReturnType<typeof makeRemoteRepoPath>>;

  beforeAll(async () => {
    sshd = await startSshd();
  });
  afterAll(async () => {
    await sshd?.stop({ remove: true });
  });

  beforeEach(async () => {
    fixture = await TestHost.open('remote-sftp');
    host = fixture.host;
    emptyKnownHosts = path.join(fixture.tmp, 'known_hosts');
    await fs.writeFile(emptyKnownHosts, '');
    remote = await makeRemoteRepoPath();
  });
  afterEach(async () => {
    await fixture?.close();
    await remote?.cleanup();
  });

  function location(): string {
    return `sftp://${sshd.user}@${sshd.host}:${sshd.port}${remote.path}`;
  }

  it('shows a new host key with its fingerprint, and reaches the server once it is trusted', async () => {
    const storage = { sftp: { identityFile: sshd.identityFile, knownHostsFile: emptyKnownHosts } };
    const first = await host.call('repo.testLocation', { location: location(), storage });
    expect(first).toMatchObject({
      reachable: false,
      problem: 'host-key-unknown',
      hostKey: { host: sshd.host, port: sshd.port, fingerprint: sshd.hostKeyFingerprint, algorithm: 'ssh-ed25519' },
    });
    const trusted = await host.call('repo.testLocation', {
      location: location(),
      storage: { sftp: { ...storage.sftp, acceptHostKey: sshd.hostKeyFingerprint } },
    });
    expect(trusted).toEqual({ reachable: true, kind: 'sftp', location: location(), repositoryExists: false });
    // The server's own known-hosts file knows the key already.
    const known = await host.call('repo.testLocation', {
      location: location(),
      storage: { sftp: { identityFile: sshd.identityFile, knownHostsFile: sshd.knownHostsFile } },
    });
    expect(known).toMatchObject({ reachable: true });
  });

  it('refuses a host key that changed, whatever was trusted', async () => {
    const other = await generateKey(path.join(fixture.tmp, 'other_host_key'));
    const publicKey = (await fs.readFile(`${other}.pub`, 'utf8')).trim().split(/\s+/).slice(0, 2).join(' ');
    const changedKnownHosts = path.join(fixture.tmp, 'known_hosts_changed');
    await fs.writeFile(changedKnownHosts, `[${sshd.host}]:${sshd.port} ${publicKey}\n`);
    const result = await host.call('repo.testLocation', {
      location: location(),
      storage: {
        sftp: {
          identityFile: sshd.identityFile,
          knownHostsFile: changedKnownHosts,
          acceptHostKey: sshd.hostKeyFingerprint,
        },
      },
    });
    expect(result).toMatchObject({
      reachable: false,
      problem: 'host-key-changed',
      hostKey: { fingerprint: sshd.hostKeyFingerprint },
    });
    expect(result.reachable === false && result.message).toMatch(/^Warning: the key of 127\.0\.0\.1/);
  });

  it('reports a key the server does not accept as an authentication failure', async () => {
    const stranger = await generateKey(path.join(fixture.tmp, 'stranger_key'));
    const result = await host.call('repo.testLocation', {
      location: location(),
      storage: { sftp: { identityFile: stranger, knownHostsFile: sshd.knownHostsFile } },
    });
    expect(result).toMatchObject({ reachable: false, problem: 'auth' });
    expect(result.reachable === false && result.message).toMatch(new RegExp(`sign-in of user “${sshd.user}”`));
  });

  it('creates a repository there; after a restart it unlocks once the passphrase is given again', async () => {
    const keyFile = await generateKey(path.join(fixture.tmp, 'locked_key'), PASSPHRASE);
    await sshd.authorize(`${keyFile}.pub`);
    const storage = {
      sftp: { identityFile: keyFile, knownHostsFile: emptyKnownHosts, acceptHostKey: sshd.hostKeyFingerprint },
      transfer: { connections: 2 },
    };
    const created = await host.call('repo.create', {
      location: location(),
      password: 'pw',
      label: 'Home server',
      region: 'EU',
      storage,
      credentials: { sftpPassphrase: PASSPHRASE },
    });
    expect(created).toMatchObject({ kind: 'sftp', location: location(), unlocked: true });
    expect(
      await host.call('repo.testLocation', {
        location: location(),
        storage,
        credentials: { sftpPassphrase: PASSPHRASE },
      }),
    ).toMatchObject({
      repositoryExists: true,
    });

    host = await fixture.reopen();
    expect(await host.call('repo.storageSettings', { repositoryId: created.id })).toMatchObject({
      settings: storage,
      credentialsHeld: { sftpPassphrase: false },
    });
    await expect(host.call('repo.unlock', { repositoryId: created.id, password: 'pw' })).rejects.toThrow(
      /Give the server’s password or key passphrase under Settings → Storage, then unlock “Home server” again\.$/,
    );
    await host.call('repo.setStorageSettings', {
      repositoryId: created.id,
      credentials: { sftpPassphrase: PASSPHRASE },
    });
    expect(await host.call('repo.unlock', { repositoryId: created.id, password: 'pw' })).toMatchObject({
      unlocked: true,
    });
    expect(existsSync(path.join(fixture.dataDir, 'cache', created.id))).toBe(true);

    const files = await fs.readdir(fixture.dataDir, { recursive: true, withFileTypes: true });
    for (const file of files.filter((f) => f.isFile())) {
      const bytes = await fs.readFile(path.join(file.parentPath, file.name));
      expect(bytes.includes(Buffer.from(PASSPHRASE)), file.name).toBe(false);
    }

    // Erasing everything reaches the server with the same settings and credentials.
    await host.call('repo.lock', { repositoryId: created.id });
    await host.call('privacy.eraseAll', {
      confirm: 'erase everything',
      receipt: path.join(fixture.tmp, 'receipt.json'),
    });
    expect(existsSync(remote.path)).toBe(false);
    expect(existsSync(path.join(fixture.dataDir, 'cache'))).toBe(false);
    expect(await host.call('repo.list', {})).toEqual([]);
  });
});
