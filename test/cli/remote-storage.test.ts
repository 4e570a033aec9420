/**
 * The command line on remote storage, against real servers started here: OpenSSH's sshd for
 * `sftp://` and Ceph's RADOS Gateway for `s3+http://`. For each: init, backup, restore (byte for
 * byte), check --read-data, forget --prune, erasure of a path; the server stopped in the middle
 * of a backup gives a clear error and the next backup completes; no secret lands in any file
 * Cairn writes. For SFTP also: an unknown host key is refused with its fingerprint and the
 * option that accepts it, and a changed key is refused even then.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliEnv, cairn, cairnAsync, type Run } from '../support/cli.js';
import { freshName, type S3TestServer, startS3Server } from '../support/s3-server.js';
import { generateKey, makeRemoteRepoPath, startSshd, type TestSshd } from '../support/sshd.js';

const PASSWORD = 'remote-storage-password';

interface Remote {
  location: string;
  /** Options every command gets (identity, known hosts). */
  flags: string[];
  /** Environment (credentials). */
  extra: Record<string, string>;
  /** Secrets that must not appear in any file Cairn writes. */
  secrets: string[];
  stop(): Promise<void>;
  start(): Promise<void>;
}

async function writeTree(root: string, files: Record<string, Buffer>): Promise<void> {
  for (const [name, bytes] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(root, name)), { recursive: true });
    await fs.writeFile(path.join(root, name), bytes);
  }
}

async function sameTree(a: string, b: string): Promise<void> {
  const list = async (dir: string) =>
    (await fs.readdir(dir, { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
      .sort();
  const names = await list(a);
  expect(await list(b)).toEqual(names);
  for (const name of names) {
    expect((await fs.readFile(path.join(b, name))).equals(await fs.readFile(path.join(a, name))), name).toBe(true);
  }
}

/** Every file below `dir`, read as bytes. */
async function filesBelow(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

function scenarios(kind: string, makeRemote: () => Promise<Remote>): void {
  describe(`the command line on ${kind}`, () => {
    let remote: Remote;
    let work: string;
    let env: CliEnv;
    const run = (...args: string[]): Run => cairn([...args, ...remote.flags], env, { timeoutMs: 180_000 });
    const ok = (...args: string[]): Run => {
      const r = run(...args);
      if (r.status !== 0) throw new Error(`cairn ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
      return r;
    };

    beforeAll(async () => {
      remote = await makeRemote();
      work = await fs.mkdtemp(path.join(os.tmpdir(), 'cairn-remote-cli-'));
      env = { password: PASSWORD, dataDir: path.join(work, 'data'), repository: remote.location, extra: remote.extra };
    }, 120_000);
    afterAll(async () => {
      await remote?.stop();
      if (work) await fs.rm(work, { recursive: true, force: true });
    });

    it('init, backup, restore byte for byte, check --read-data, forget --prune and erase a path', async () => {
      const src = path.join(work, 'src');
      await writeTree(src, {
        'big.bin': randomBytes(20 * 1024 * 1024),
        'docs/a.txt': Buffer.from('first version\n'.repeat(1000)),
        'docs/private.txt': Buffer.from('a customer record to erase\n'),
        'empty.txt': Buffer.alloc(0),
      });
      expect(ok('init', '--region', 'EU').stdout).toContain(`created repository`);
      ok('backup', src);
      await fs.writeFile(path.join(src, 'docs/a.txt'), 'second version\n');
      ok('backup', src);
      expect(JSON.parse(ok('snapshots', '--json').stdout)).toHaveLength(2);

      const out = path.join(work, 'out');
      ok('restore', 'latest', '--target', out);
      await sameTree(src, path.join(out, src));
      expect(ok('check', '--read-data').stdout).toMatch(/no errors were found/);

      ok('forget', '--keep-last', '1', '--prune');
      expect(JSON.parse(ok('snapshots', '--json').stdout)).toHaveLength(1);
      expect(ok('check', '--read-data').stdout).toMatch(/no errors were found/);

      const erased = path.join(src, 'docs/private.txt');
      ok('privacy', 'erase', '--path', erased);
      expect(ok('ls', 'latest').stdout).not.toContain('private.txt');
      expect(ok('check', '--read-data').stdout).toMatch(/no errors were found/);

      await fs.rm(erased);
      const again = path.join(work, 'again');
      ok('restore', 'latest', '--target', again);
      await sameTree(src, path.join(again, src));
    }, 300_000);

    it('the server stopped in the middle of a backup: a clear error, then the next backup completes', async () => {
      const src = path.join(work, 'outage');
      await writeTree(src, { 'a.bin': randomBytes(12 * 1024 * 1024), 'b.bin': randomBytes(12 * 1024 * 1024) });
      // Slowed to 2 MiB/s, the backup is still sending when the server goes away.
      const backup = cairnAsync(['backup', src, '--limit-upload', '2048', '--retry-for', '3', ...remote.flags], env);
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      await remote.stop();
      const failed = await backup.done;
      await remote.start();
      expect(failed.status).toBe(1);
      expect(failed.stderr).toMatch(/127\.0\.0\.1:\d+/);
      expect(failed.stderr).toMatch(/gave up after \d+ attempts/);

      ok('backup', src);
      expect(ok('check', '--read-data').stdout).toMatch(/no errors were found/);
      const out = path.join(work, 'outage-out');
      ok('restore', 'latest', '--target', out);
      await sameTree(src, path.join(out, src));
    }, 300_000);

    it('writes no secret into any file of its data folder', async () => {
      const files = await filesBelow(path.join(work, 'data'));
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) {
        const bytes = await fs.readFile(file);
        for (const secret of remote.secrets)
          expect(bytes.includes(secret), `${secret.slice(0, 4)}… in ${file}`).toBe(false);
      }
    });
  });
}

let sshd: TestSshd | undefined;

scenarios('an SFTP server (OpenSSH)', async () => {
  sshd = await startSshd();
  const repo = await makeRemoteRepoPath();
  const server = sshd;
  return {
    location: `sftp://${server.user}@127.0.0.1:${server.port}${repo.path}`,
    flags: ['--sftp-identity', server.identityFile, '--sftp-known-hosts', server.knownHostsFile],
    extra: { SSH_AUTH_SOCK: '' },
    // The user's private key: its bytes must never be copied anywhere.
    secrets: [(await fs.readFile(server.identityFile, 'utf8')).split('\n').slice(1, 3).join('\n')],
    stop: async () => {
      if (server === sshd) await server.stop();
    },
    start: () => server.restart(),
  };
});

describe('SFTP host keys', () => {
  let server: TestSshd;
  let work: string;
  beforeAll(async () => {
    server = await startSshd();
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'cairn-hostkey-'));
  }, 60_000);
  afterAll(async () => {
    await server?.stop({ remove: true });
    if (work) await fs.rm(work, { recursive: true, force: true });
  });

  it('refuses an unknown host with its fingerprint and the option, accepts it with that option', async () => {
    const emptyKnownHosts = path.join(work, 'known_hosts');
    await fs.writeFile(emptyKnownHosts, '');
    const location = `sftp://${server.user}@127.0.0.1:${server.port}${path.join(work, 'repo')}`;
    const env: CliEnv = { password: PASSWORD, dataDir: path.join(work, 'data'), extra: { SSH_AUTH_SOCK: '' } };
    const flags = ['--repo', location, '--sftp-identity', server.identityFile, '--sftp-known-hosts', emptyKnownHosts];
    const refused = cairn(['init', '--region', 'EU', ...flags], env);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(server.hostKeyFingerprint);
    expect(refused.stderr).toContain('--sftp-accept-host-key');
    const accepted = cairn(
      ['init', '--region', 'EU', ...flags, '--sftp-accept-host-key', server.hostKeyFingerprint],
      env,
    );
    expect(accepted.status, accepted.stderr).toBe(0);
  }, 120_000);

  it('refuses a changed host key, even with --sftp-accept-host-key', async () => {
    const otherKey = await generateKey(path.join(work, 'other_host_key'));
    const [type, blob] = (await fs.readFile(`${otherKey}.pub`, 'utf8')).trim().split(/\s+/);
    const knownHosts = path.join(work, 'known_hosts_changed');
    await fs.writeFile(knownHosts, `[127.0.0.1]:${server.port} ${type} ${blob}\n`);
    const location = `sftp://${server.user}@127.0.0.1:${server.port}${path.join(work, 'repo2')}`;
    const r = cairn(
      [
        'init',
        '--region',
        'EU',
        '--repo',
        location,
        '--sftp-identity',
        server.identityFile,
        '--sftp-known-hosts',
        knownHosts,
        '--sftp-accept-host-key',
        server.hostKeyFingerprint,
      ],
      { password: PASSWORD, dataDir: path.join(work, 'data2'), extra: { SSH_AUTH_SOCK: '' } },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/changed|does not match|differs/i);
    await expect(fs.stat(path.join(work, 'repo2'))).rejects.toMatchObject({ code: 'ENOENT' });
  }, 120_000);
});

let s3: S3TestServer | undefined;

scenarios('an S3 bucket (Ceph RADOS Gateway)', async () => {
  s3 = await startS3Server();
  const server = s3;
  return {
    location: `s3+http://127.0.0.1:${server.port}/${freshName('cli')}/laptop`,
    flags: [],
    extra: { AWS_ACCESS_KEY_ID: server.accessKeyId, AWS_SECRET_ACCESS_KEY: server.secretAccessKey },
    secrets: [server.secretAccessKey],
    stop: () => server.stopGateway(),
    start: () => server.startGateway(),
  };
});

afterAll(async () => {
  await sshd?.stop({ remove: true });
  await s3?.stop();
});
