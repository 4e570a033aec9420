/**
 * SftpBackend against a real OpenSSH server (test/support/sshd.ts, one per file): the backend
 * conformance suite unchanged, then what only a remote backend has — host key checking (unknown,
 * accepted by fingerprint, changed, hashed and revoked entries), login failures, a server that
 * goes away and comes back, the on-server layout shared with LocalBackend, refusal of entries
 * that are not files, leftovers, and secrets kept out of every message.
 */

import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { inspect, promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/engine/backend/local.js';
import { parseLocation } from '../../src/engine/backend/location.js';
import type { SftpOptions } from '../../src/engine/backend/options.js';
import { checkHostKey, fingerprint, keyAlgorithm, parseKnownHosts } from '../../src/engine/backend/sftp/known-hosts.js';
import { SftpBackend } from '../../src/engine/backend/sftp/sftp-backend.js';
import type { ObjectRef } from '../../src/engine/backend/types.js';
import { generateKey, makeRemoteRepoPath, startSshd, type TestSshd } from '../support/sshd.js';
import { expectBackendError, runBackendConformance } from './conformance.js';

const run = promisify(execFile);
const id = (prefix = ''): string => prefix + randomBytes(32).toString('hex').slice(prefix.length);

let sshd: TestSshd;
beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop({ remove: true });
});

/** A backend for the test server at `repoPath`, logging in with the server's user key unless `options` say otherwise. */
function backendFor(repoPath: string, options: SftpOptions = {}): SftpBackend {
  return new SftpBackend(
    { user: sshd.user, host: sshd.host, port: sshd.port, path: repoPath },
    { identityFile: sshd.identityFile, knownHostsFile: sshd.knownHostsFile, ...options },
  );
}

/** Every file and folder below `dir`, as relative paths, sorted. */
async function walk(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true });
  return entries.map((e) => e.toString()).sort();
}

runBackendConformance('SftpBackend', async () => {
  const repo = await makeRemoteRepoPath();
  return { backend: backendFor(repo.path), cleanup: repo.cleanup };
});

describe('SftpBackend against OpenSSH', () => {
  let repo: Awaited<ReturnType<typeof makeRemoteRepoPath>>;
  let backend: SftpBackend;
  const extra: SftpBackend[] = [];

  beforeEach(async () => {
    repo = await makeRemoteRepoPath();
    backend = backendFor(repo.path);
  });
  afterEach(async () => {
    await backend.close();
    for (const b of extra.splice(0)) await b.close();
    await repo.cleanup();
  });

  /** A backend with other options, closed after the test. */
  function other(options: SftpOptions): SftpBackend {
    const b = backendFor(repo.path, options);
    extra.push(b);
    return b;
  }

  it('names its location as an sftp:// URL that parses back, with no secret in it', () => {
    const b = other({ password: 'hunter2-never-shown', passphrase: 'also-never-shown' });
    expect(b.location).toBe(`sftp://${sshd.user}@127.0.0.1:${sshd.port}${repo.path}`);
    expect(parseLocation(b.location)).toEqual({
      kind: 'sftp',
      user: sshd.user,
      host: '127.0.0.1',
      port: sshd.port,
      path: repo.path,
    });
    expect(b.location).not.toContain('hunter2');
    expect(new SftpBackend({ user: 'u', host: 'nas.local', port: 22, path: '/srv/repo/' }).location).toBe(
      'sftp://u@nas.local/srv/repo',
    );
  });

  it('does not connect until the first call', async () => {
    const b = new SftpBackend({ user: 'nobody', host: '127.0.0.1', port: 1, path: '/x' });
    await b.close();
    await b.close();
  });

  describe('host keys', () => {
    it('refuses an unknown host key, naming its fingerprint and how to accept it', async () => {
      const empty = path.join(repo.parent, 'empty_known_hosts');
      await fs.writeFile(empty, '');
      const err = await expectBackendError(other({ knownHostsFile: empty }).exists(), 'host-key');
      expect(err.hostKey).toEqual({
        host: '127.0.0.1',
        port: sshd.port,
        status: 'unknown',
        fingerprint: sshd.hostKeyFingerprint, // as ssh-keygen -l prints it
        algorithm: 'ssh-ed25519',
      });
      expect(err.message).toContain(sshd.hostKeyFingerprint);
      expect(err.message).toContain(`--sftp-accept-host-key ${sshd.hostKeyFingerprint}`);
      expect(err.message).toContain(`${sshd.user}@127.0.0.1:${sshd.port}`);
    });

    it('treats a missing known-hosts file as knowing no host', async () => {
      const missing = path.join(repo.parent, 'no-such-folder', 'known_hosts');
      const err = await expectBackendError(other({ knownHostsFile: missing }).exists(), 'host-key');
      expect(err.hostKey?.status).toBe('unknown');
    });

    it('accepts an unknown host key the user accepted by fingerprint, and does not write the known-hosts file', async () => {
      const empty = path.join(repo.parent, 'empty_known_hosts');
      await fs.writeFile(empty, '');
      const b = other({ knownHostsFile: empty, acceptHostKey: sshd.hostKeyFingerprint });
      await b.create();
      expect(await b.exists()).toBe(false);
      expect(await fs.readFile(empty, 'utf8')).toBe('');
      // Another fingerprint accepts nothing.
      const wrong = other({
        knownHostsFile: empty,
        acceptHostKey: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      });
      await expectBackendError(wrong.exists(), 'host-key');
    });

    it('refuses a changed host key, even when its fingerprint was accepted', async () => {
      const impostor = await generateKey(path.join(repo.parent, 'impostor_host_key'));
      const impostorLine = (await fs.readFile(`${impostor}.pub`, 'utf8')).split(' ').slice(0, 2).join(' ');
      const changed = path.join(repo.parent, 'changed_known_hosts');
      await fs.writeFile(changed, `# an old key\n[127.0.0.1]:${sshd.port} ${impostorLine}\n`);
      const b = other({ knownHostsFile: changed, acceptHostKey: sshd.hostKeyFingerprint });
      const err = await expectBackendError(b.exists(), 'host-key');
      expect(err.hostKey?.status).toBe('changed');
      expect(err.hostKey?.fingerprint).toBe(sshd.hostKeyFingerprint);
      expect(err.message).toMatch(/CHANGED/);
      expect(err.message).toContain(`${changed} line 2`);
    });

    it('finds the key under a hashed host name (HashKnownHosts)', async () => {
      const hashed = path.join(repo.parent, 'hashed_known_hosts');
      await fs.copyFile(sshd.knownHostsFile, hashed);
      await run('/usr/bin/ssh-keygen', ['-H', '-f', hashed]);
      const text = await fs.readFile(hashed, 'utf8');
      expect(text).toMatch(/^\|1\|/);
      expect(text).not.toContain('127.0.0.1');
      await other({ knownHostsFile: hashed }).create();
    });

    it('refuses a key marked @revoked, even next to a line that lists it', async () => {
      const known = await fs.readFile(sshd.knownHostsFile, 'utf8');
      const keyPart = known.trim().split(' ').slice(1).join(' ');
      const revoked = path.join(repo.parent, 'revoked_known_hosts');
      await fs.writeFile(revoked, `${known}@revoked * ${keyPart}\n`);
      const b = other({ knownHostsFile: revoked, acceptHostKey: sshd.hostKeyFingerprint });
      const err = await expectBackendError(b.exists(), 'host-key');
      expect(err.message).toContain('@revoked');
    });

    it('matches host patterns, negations and ports as ssh does', () => {
      const key = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), randomBytes(36)]);
      const b64 = key.toString('base64');
      const entries = parseKnownHosts(
        [
          `*.example.com,!evil.example.com ssh-ed25519 ${b64}`,
          `[nas.local]:2222 ssh-ed25519 ${b64} comment here`,
          `@cert-authority *.ca.example ssh-ed25519 ${b64}`,
          'garbage line',
          `host.only ssh-rsa ${b64}`, // the type field does not match the key: skipped
        ].join('\n'),
        'kh',
      );
      expect(entries).toHaveLength(2);
      expect(checkHostKey(entries, 'WWW.Example.com', 22, key).status).toBe('known');
      expect(checkHostKey(entries, 'evil.example.com', 22, key).status).toBe('unknown');
      expect(checkHostKey(entries, 'www.example.com', 2222, key).status).toBe('unknown');
      expect(checkHostKey(entries, 'nas.local', 2222, key).status).toBe('known');
      expect(checkHostKey(entries, 'nas.local', 22, key).status).toBe('unknown');
      expect(checkHostKey(entries, 'x.ca.example', 22, key).status).toBe('unknown');
      const other = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), randomBytes(36)]);
      expect(checkHostKey(entries, 'nas.local', 2222, other).status).toBe('changed');
      expect(keyAlgorithm(key)).toBe('ssh-ed25519');
      expect(fingerprint(key)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    });
  });

  describe('login', () => {
    it('fails with auth when the server refuses the key, naming what was tried', async () => {
      const stranger = await generateKey(path.join(repo.parent, 'stranger_key'));
      const err = await expectBackendError(other({ identityFile: stranger }).exists(), 'auth');
      expect(err.message).toContain(`sftp server ${sshd.user}@127.0.0.1:${sshd.port} refused the login`);
      expect(err.message).toContain(`key file ${stranger}`);
    });

    it('logs in with a key held by the SSH agent (SSH_AUTH_SOCK)', async () => {
      const socket = path.join(repo.parent, 'agent.sock');
      const agent = spawn('/usr/bin/ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
      const saved = process.env.SSH_AUTH_SOCK;
      try {
        for (let i = 0; i < 200 && !(await fs.stat(socket).catch(() => undefined)); i++) {
          await new Promise((r) => setTimeout(r, 25));
        }
        await run('/usr/bin/ssh-add', ['-q', sshd.identityFile], { env: { ...process.env, SSH_AUTH_SOCK: socket } });
        process.env.SSH_AUTH_SOCK = socket;
        // No identityFile: the agent is asked first.
        await other({ identityFile: undefined }).create();
      } finally {
        if (saved === undefined) delete process.env.SSH_AUTH_SOCK;
        else process.env.SSH_AUTH_SOCK = saved;
        agent.kill();
      }
    });

    it('logs in with a default key from ~/.ssh when no key file is given', async () => {
      const home = path.join(repo.parent, 'home');
      await fs.mkdir(path.join(home, '.ssh'), { recursive: true });
      await fs.copyFile(sshd.identityFile, path.join(home, '.ssh', 'id_ed25519'));
      const saved = { HOME: process.env.HOME, SSH_AUTH_SOCK: process.env.SSH_AUTH_SOCK };
      process.env.HOME = home;
      delete process.env.SSH_AUTH_SOCK;
      try {
        await other({ identityFile: undefined }).create();
      } finally {
        process.env.HOME = saved.HOME;
        if (saved.SSH_AUTH_SOCK !== undefined) process.env.SSH_AUTH_SOCK = saved.SSH_AUTH_SOCK;
      }
    });

    it('fails with auth for a key file that is missing', async () => {
      const err = await expectBackendError(other({ identityFile: path.join(repo.parent, 'nope') }).exists(), 'auth');
      expect(err.message).toContain('no such file');
    });

    it('logs in with a passphrase-protected key and its passphrase, and never shows a passphrase or password', async () => {
      const passphrase = 'correct-horse-battery-staple-7d1f';
      const password = 'hunter2-password-93ac';
      const locked = await generateKey(path.join(repo.parent, 'locked_key'), passphrase);
      await sshd.authorize(`${locked}.pub`);
      await other({ identityFile: locked, passphrase }).create();

      const failures = [
        await expectBackendError(other({ identityFile: locked, passphrase: 'wrong-passphrase-5e2b' }).exists(), 'auth'),
        await expectBackendError(other({ identityFile: locked }).exists(), 'auth'),
        await expectBackendError(
          other({ identityFile: await generateKey(path.join(repo.parent, 'k2')), password }).exists(),
          'auth',
        ),
      ];
      for (const err of failures) {
        const everything = `${err.message}\n${err.stack}\n${inspect(err, { depth: 10 })}`;
        for (const secret of [passphrase, password, 'wrong-passphrase-5e2b']) expect(everything).not.toContain(secret);
      }
      expect(failures[1]?.message).toMatch(/passphrase/);
    });
  });

  describe('a server that goes away', () => {
    it('fails with unavailable naming the server, and the same backend works again once the server is back', async () => {
      await backend.create();
      const ref: ObjectRef = { kind: 'snapshots', id: id() };
      await backend.save(ref, Buffer.from('before'));
      await sshd.stop();
      try {
        const lost = await expectBackendError(backend.load(ref), 'unavailable');
        expect(lost.message).toContain(`sftp server ${sshd.user}@127.0.0.1:${sshd.port}`);
        expect(lost.message).toContain(ref.id);
        // The next call tries to connect again, and finds nobody listening.
        const refused = await expectBackendError(
          backend.save({ kind: 'keys', id: id() }, Buffer.from('x')),
          'unavailable',
        );
        expect(refused.message).toMatch(
          new RegExp(
            `^could not reach sftp server ${sshd.user}@127\\.0\\.0\\.1:${sshd.port} while saving keys object [0-9a-f]{64}: connection refused$`,
          ),
        );
      } finally {
        await sshd.restart();
      }
      expect((await backend.load(ref)).toString()).toBe('before');
      await backend.save({ kind: 'snapshots', id: id() }, Buffer.from('after'));
    });

    it('fails the requests in flight when the connection drops, instead of waiting forever', async () => {
      await backend.create();
      const ref: ObjectRef = { kind: 'keys', id: id() };
      await backend.save(ref, Buffer.from('key'));
      // Freeze the server's side of the connection so that requests go unanswered, then kill it.
      expect(await sshd.signalSessions('SIGSTOP')).toBeGreaterThan(0);
      const pending = backend.load(ref);
      await new Promise((r) => setTimeout(r, 100));
      await sshd.signalSessions('SIGKILL');
      const err = await expectBackendError(pending, 'unavailable');
      expect(err.message).toMatch(/^lost the connection to sftp server .* while loading keys object [0-9a-f]{64}: /);
      expect((await backend.load(ref)).toString()).toBe('key');
    });

    it('fails a staged object whose connection was lost, and saves again afterwards', async () => {
      await backend.create();
      const staged = await backend.stage('data');
      await staged.append(randomBytes(1000));
      await sshd.restart();
      const err = await expectBackendError(
        (async () => {
          await staged.append(randomBytes(1000));
          await staged.commit(id());
        })(),
        'unavailable',
      );
      expect(err.message).toContain(`${sshd.user}@127.0.0.1:${sshd.port}`);
      await staged.discard();
      const ref: ObjectRef = { kind: 'data', id: id() };
      await backend.save(ref, Buffer.from('fresh'));
      expect((await backend.load(ref)).toString()).toBe('fresh');
    });

    it('gives up on a server that does not answer within timeoutMs, as unavailable', async () => {
      const silent = net.createServer(() => {}); // accepts, then never says a word
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const { port } = silent.address() as net.AddressInfo;
      try {
        const b = new SftpBackend(
          { user: 'u', host: '127.0.0.1', port, path: '/x' },
          { knownHostsFile: sshd.knownHostsFile, timeoutMs: 300 },
        );
        extra.push(b);
        const err = await expectBackendError(b.stat({ kind: 'keys', id: id() }), 'unavailable');
        expect(err.message).toMatch(
          new RegExp(`^could not reach sftp server u@127\\.0\\.0\\.1:${port} while checking keys object`),
        );
        expect(err.message).toMatch(/no answer in time$/);
      } finally {
        silent.close();
      }
    });

    it('reports a name that does not resolve as unavailable', async () => {
      const b = new SftpBackend(
        { user: 'u', host: 'no-such-host.invalid', port: 22, path: '/x' },
        { knownHostsFile: sshd.knownHostsFile, timeoutMs: 5000 },
      );
      extra.push(b);
      const err = await expectBackendError(b.exists(), 'unavailable');
      expect(err.message).toMatch(
        /^could not reach sftp server u@no-such-host\.invalid:22 while looking for a repository: /,
      );
    });
  });

  describe('on the server', () => {
    it('uses the same layout as LocalBackend, in both directions', async () => {
      await backend.create();
      const local = new LocalBackend(repo.path);
      const viaSftp: ObjectRef = { kind: 'data', id: id('ab') };
      await backend.save(viaSftp, Buffer.from('pack via sftp'));
      expect(await fs.readFile(path.join(repo.path, 'data', 'ab', viaSftp.id), 'utf8')).toBe('pack via sftp');
      expect((await local.load(viaSftp)).toString()).toBe('pack via sftp');
      const viaLocal: ObjectRef = { kind: 'index', id: id() };
      await local.save(viaLocal, Buffer.from('index via local'));
      expect((await backend.load(viaLocal)).toString()).toBe('index via local');
      expect((await fs.readdir(path.join(repo.path, 'data'))).length).toBe(256);
      expect((await fs.stat(path.join(repo.path, viaSftp.kind, 'ab', viaSftp.id))).mode & 0o777).toBe(0o600);
    });

    it('writes nothing outside the repository folder, even for crafted ids', async () => {
      await fs.mkdir(path.dirname(repo.path), { recursive: true });
      await fs.writeFile(path.join(repo.parent, 'neighbour'), 'keep');
      const before = await walk(repo.parent);
      await backend.create();
      await backend.save({ kind: 'config', id: 'config' }, Buffer.from('c'));
      await backend.save({ kind: 'config', id: 'config' }, Buffer.from('cc'), { overwrite: true });
      const staged = await backend.stage('data');
      await staged.append(Buffer.from('pack'));
      await staged.commit(id());
      await (await backend.stage('index')).discard();
      for (const ref of [
        { kind: 'data', id: '../../x' },
        { kind: 'keys', id: '../../../escaped' },
        { kind: 'config', id: '../config' },
      ] as ObjectRef[]) {
        await expectBackendError(backend.save(ref, Buffer.from('evil')), 'io');
        await expectBackendError(backend.save(ref, Buffer.from('evil'), { overwrite: true }), 'io');
        await expectBackendError(backend.remove(ref), 'io');
      }
      const after = await walk(repo.parent);
      const repoPrefix = path.relative(repo.parent, repo.path);
      expect(after.filter((p) => !p.startsWith(repoPrefix))).toEqual(before);
    });

    it('refuses entries that are not regular files without stalling the server', async () => {
      await backend.create();
      const fifo: ObjectRef = { kind: 'keys', id: id() };
      await run('/usr/bin/mkfifo', [path.join(repo.path, 'keys', fifo.id)]);
      const link: ObjectRef = { kind: 'snapshots', id: id() };
      await fs.writeFile(path.join(repo.parent, 'outside'), 'secret outside');
      await fs.symlink(path.join(repo.parent, 'outside'), path.join(repo.path, 'snapshots', link.id));
      const folder: ObjectRef = { kind: 'index', id: id() };
      await fs.mkdir(path.join(repo.path, 'index', folder.id));
      for (const ref of [fifo, link, folder]) {
        const err = await expectBackendError(backend.load(ref), 'invalid-object');
        expect(err.message).toContain('is not a regular file');
        await expectBackendError(backend.stat(ref), 'invalid-object');
      }
      // Listed (the damage shows when read), and the server still answers.
      const keys = [];
      for await (const info of backend.list('keys')) keys.push(info.id);
      expect(keys).toEqual([fifo.id]);
      expect(await backend.exists()).toBe(false);
    });

    it('refuses to create in a non-empty folder or over a file, and never creates a missing root on save', async () => {
      await expectBackendError(backend.save({ kind: 'data', id: id() }, Buffer.from('x')), 'not-found');
      await expect(fs.stat(repo.path)).rejects.toThrow();
      await fs.mkdir(repo.path, { recursive: true });
      await fs.writeFile(path.join(repo.path, 'holiday.jpg'), 'photo');
      const err = await expectBackendError(backend.create(), 'exists');
      expect(err.message).toContain('is not empty and holds no Cairn repository');
      await fs.rm(repo.path, { recursive: true });
      await fs.writeFile(repo.path, 'a file');
      expect((await expectBackendError(backend.create(), 'exists')).message).toContain('is a file');
    });

    it('reports a full disk as no-space and leaves no partial file (where a small tmpfs can be mounted)', async () => {
      const mountPoint = path.join(repo.parent, 'small');
      await fs.mkdir(mountPoint);
      try {
        await run('/usr/bin/mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mountPoint]);
      } catch {
        return; // no permission to mount here: nothing to check against
      }
      try {
        const small = backendFor(path.join(mountPoint, 'repo'));
        extra.push(small);
        await small.create();
        const err = await expectBackendError(
          small.save({ kind: 'data', id: id('aa') }, randomBytes(3 * 1024 * 1024)),
          'no-space',
        );
        expect(err.message).toMatch(/^the storage location is full \(sftp server .*, while saving data object/);
        expect(await fs.readdir(path.join(mountPoint, 'repo', 'data', 'aa'))).toEqual([]);
        await small.close();
      } finally {
        await run('/usr/bin/umount', [mountPoint]);
      }
    });

    it('recreates kind and shard folders that went missing', async () => {
      await backend.create();
      await fs.rm(path.join(repo.path, 'data'), { recursive: true });
      await fs.rm(path.join(repo.path, 'snapshots'), { recursive: true });
      const pack: ObjectRef = { kind: 'data', id: id('c3') };
      await backend.save(pack, Buffer.from('pack'));
      await fs.rm(path.join(repo.path, 'data', 'c3'), { recursive: true });
      const staged = await backend.stage('data');
      await staged.append(Buffer.from('staged pack'));
      const stagedRef: ObjectRef = { kind: 'data', id: id('c3') };
      await staged.commit(stagedRef.id);
      expect((await backend.load(stagedRef)).toString()).toBe('staged pack');
      const snapshot: ObjectRef = { kind: 'snapshots', id: id() };
      await backend.save(snapshot, Buffer.from('snap'));
      expect((await backend.load(snapshot)).toString()).toBe('snap');
    });

    it('removes old temporary leftovers only, and never lists them', async () => {
      await backend.create();
      const kept: ObjectRef = { kind: 'data', id: id('ab') };
      await backend.save(kept, Buffer.from('real'));
      const old = [
        path.join(repo.path, 'data', 'ab', '.tmp-0123456789abcdef'),
        path.join(repo.path, 'keys', '.tmp-aa'),
      ];
      const hourAgo = new Date(Date.now() - 3_600_000);
      for (const file of old) {
        await fs.writeFile(file, 'interrupted');
        await fs.utimes(file, hourAgo, hourAgo);
      }
      const staged = await backend.stage('index'); // in progress: young
      await staged.append(Buffer.from('half'));
      const listed = [];
      for await (const info of backend.list('data')) listed.push(info.id);
      expect(listed).toEqual([kept.id]);

      expect(await backend.cleanTemporaryFiles(10 * 60_000)).toBe(2);
      for (const file of old) await expect(fs.stat(file)).rejects.toThrow();
      expect((await fs.readdir(path.join(repo.path, 'index'))).filter((n) => n.startsWith('.tmp-'))).toHaveLength(1);
      expect(await backend.cleanTemporaryFiles(0, Date.now() + 5_000)).toBe(1);
      expect(await fs.readdir(path.join(repo.path, 'index'))).toEqual([]);
      expect((await backend.load(kept)).toString()).toBe('real');
      await staged.discard();
    });

    it('destroys the repository folder and everything in it, leaving its parent', async () => {
      await backend.create();
      await backend.save({ kind: 'config', id: 'config' }, Buffer.from('c'));
      await backend.save({ kind: 'data', id: id() }, randomBytes(100));
      await fs.writeFile(path.join(repo.parent, 'outside'), 'keep');
      await fs.symlink(path.join(repo.parent, 'outside'), path.join(repo.path, 'keys', 'link'));
      await backend.destroy();
      await expect(fs.stat(repo.path)).rejects.toThrow();
      expect(await fs.readFile(path.join(repo.parent, 'outside'), 'utf8')).toBe('keep');
      await backend.destroy(); // nothing left: still fine
    });

    it('destroys a repository reached through a symlink: its contents, then the link', async () => {
      const real = path.join(repo.parent, 'real-repo');
      const link = path.join(repo.parent, 'link-repo');
      await new LocalBackend(real).create();
      await fs.symlink(real, link);
      const linked = backendFor(link);
      extra.push(linked);
      await linked.save({ kind: 'keys', id: id() }, Buffer.from('k'));
      await linked.destroy();
      await expect(fs.lstat(link)).rejects.toThrow();
      expect(await fs.readdir(real)).toEqual([]);
    });

    it('shreds in place: the same file holds random bytes under its other name; a symlink or FIFO is only removed', async () => {
      await backend.create();
      const ref: ObjectRef = { kind: 'keys', id: id() };
      const original = randomBytes(1_500_000); // more than one piece of random bytes, many requests
      await backend.save(ref, original);
      const file = path.join(repo.path, 'keys', ref.id);
      // A second name of the file (a hard link, as link-based backup tools make) shows what became of its bytes.
      const second = path.join(repo.parent, 'second-name');
      await fs.link(file, second);
      const { ino } = await fs.stat(file);
      await backend.shred(ref);
      await expect(fs.lstat(file)).rejects.toThrow(/ENOENT/);
      expect((await fs.stat(second)).ino).toBe(ino);
      const now = await fs.readFile(second);
      expect(now.length).toBe(original.length);
      const unchanged = [];
      for (let at = 0; at < original.length; at += 64) {
        if (now.subarray(at, at + 64).equals(original.subarray(at, at + 64))) unchanged.push(at);
      }
      expect(unchanged).toEqual([]);

      await fs.writeFile(path.join(repo.parent, 'outside'), 'secret outside');
      const link: ObjectRef = { kind: 'snapshots', id: id() };
      await fs.symlink(path.join(repo.parent, 'outside'), path.join(repo.path, 'snapshots', link.id));
      const fifo: ObjectRef = { kind: 'keys', id: id() };
      await run('/usr/bin/mkfifo', [path.join(repo.path, 'keys', fifo.id)]);
      await backend.shred(link);
      await backend.shred(fifo);
      expect(await fs.readFile(path.join(repo.parent, 'outside'), 'utf8')).toBe('secret outside');
      await expect(fs.lstat(path.join(repo.path, 'snapshots', link.id))).rejects.toThrow(/ENOENT/);
      await expect(fs.lstat(path.join(repo.path, 'keys', fifo.id))).rejects.toThrow(/ENOENT/);
    });

    it('runs many calls at once over one connection with a small request limit', async () => {
      const narrow = new SftpBackend(
        { user: sshd.user, host: sshd.host, port: sshd.port, path: repo.path },
        { identityFile: sshd.identityFile, knownHostsFile: sshd.knownHostsFile },
        { connections: 1 },
      );
      extra.push(narrow);
      await narrow.create();
      const refs = Array.from({ length: 40 }, (): ObjectRef => ({ kind: 'index', id: id() }));
      await Promise.all(refs.map((ref) => narrow.save(ref, Buffer.from(ref.id))));
      const loaded = await Promise.all(refs.map((ref) => narrow.load(ref)));
      expect(loaded.map((b) => b.toString())).toEqual(refs.map((r) => r.id));
      // A listing in progress does not hold the only slot while its consumer makes calls.
      for await (const info of narrow.list('index')) await narrow.stat({ kind: 'index', id: info.id });
    });
  });
});
