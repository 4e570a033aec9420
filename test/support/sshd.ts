/**
 * A real OpenSSH server for tests: Debian's /usr/sbin/sshd on 127.0.0.1 on a free port, with a
 * throw-away ed25519 host key and user key in a temp folder, public-key login only, and SFTP by
 * `internal-sftp`. It writes a known_hosts file naming its key, so a backend can check it as
 * with any server. `stop()` ends the listener and every session it started (so clients see the
 * connection drop, as when a server goes down); `restart()` brings it back on the same port
 * with the same keys.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SSHD = '/usr/sbin/sshd';
const SSH_KEYGEN = '/usr/bin/ssh-keygen';

export interface TestSshd {
  host: string;
  port: number;
  user: string;
  /** The private key the server accepts for `user` (no passphrase). */
  identityFile: string;
  /** A known_hosts file listing the server's host key as `[127.0.0.1]:port`. */
  knownHostsFile: string;
  /** The host key's fingerprint as `ssh-keygen -l` prints it (`SHA256:…`). */
  hostKeyFingerprint: string;
  /** The server's temp folder (keys, config, log); removed by `stop({ remove: true })`. */
  dir: string;
  /** Adds a public key to the keys the server accepts. */
  authorize(publicKeyFile: string): Promise<void>;
  /** Sends `signal` to the processes serving the open connections (not the listener); returns how many. */
  signalSessions(signal: NodeJS.Signals): Promise<number>;
  stop(options?: { remove?: boolean }): Promise<void>;
  restart(): Promise<void>;
}

function requireTools(): void {
  for (const tool of [SSHD, SSH_KEYGEN]) {
    if (!existsSync(tool)) {
      throw new Error(`${tool} is missing: the SFTP tests need OpenSSH's server (apt-get install -y openssh-server)`);
    }
  }
}

/** Generates an ed25519 key pair at `file` / `file.pub`; returns `file`. */
export async function generateKey(file: string, passphrase = ''): Promise<string> {
  await run(SSH_KEYGEN, ['-q', '-t', 'ed25519', '-N', passphrase, '-C', path.basename(file), '-f', file]);
  return file;
}

/** The fingerprint ssh-keygen prints for a public key file. */
export async function keygenFingerprint(publicKeyFile: string): Promise<string> {
  const { stdout } = await run(SSH_KEYGEN, ['-l', '-E', 'sha256', '-f', publicKeyFile]);
  const fingerprint = stdout.split(/\s+/)[1];
  if (!fingerprint?.startsWith('SHA256:')) throw new Error(`unexpected ssh-keygen output: ${stdout}`);
  return fingerprint;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Every process below `pid` (sshd's per-connection children, which outlive a killed listener). */
async function descendants(pid: number): Promise<number[]> {
  const parents = new Map<number, number>();
  for (const name of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await fs.readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    // The command name is in parentheses and may hold spaces: the fields after its ')' are fixed.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (Number.isFinite(ppid)) parents.set(Number(name), ppid);
  }
  const found: number[] = [];
  const walk = (parent: number) => {
    for (const [child, ppid] of parents) {
      if (ppid === parent) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return found;
}

export async function startSshd(): Promise<TestSshd> {
  requireTools();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cairn-sshd-'));
  const hostKey = await generateKey(path.join(dir, 'host_ed25519_key'));
  const identityFile = await generateKey(path.join(dir, 'user_ed25519_key'));
  const authorizedKeys = path.join(dir, 'authorized_keys');
  await fs.copyFile(`${identityFile}.pub`, authorizedKeys);
  const port = await freePort();
  const pidFile = path.join(dir, 'sshd.pid');
  const config = path.join(dir, 'sshd_config');
  const log = path.join(dir, 'sshd.log');
  await fs.writeFile(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${pidFile}`,
      `AuthorizedKeysFile ${authorizedKeys}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'PermitRootLogin prohibit-password',
      // The suite opens many connections in a short time; sshd's default (10:30:100) drops some.
      'MaxStartups 100',
      'Subsystem sftp internal-sftp',
      '',
    ].join('\n'),
  );
  const publicHostKey = (await fs.readFile(`${hostKey}.pub`, 'utf8')).trim().split(/\s+/).slice(0, 2).join(' ');
  const knownHostsFile = path.join(dir, 'known_hosts');
  await fs.writeFile(knownHostsFile, `[127.0.0.1]:${port} ${publicHostKey}\n`);
  const hostKeyFingerprint = await keygenFingerprint(`${hostKey}.pub`);

  const start = async () => {
    await fs.mkdir('/run/sshd', { recursive: true }).catch(() => {}); // sshd's privilege-separation folder
    await fs.rm(pidFile, { force: true });
    try {
      await run(SSHD, ['-f', config, '-E', log]); // forks into the background once it listens
    } catch (err) {
      const logged = await fs.readFile(log, 'utf8').catch(() => '');
      throw new Error(`sshd did not start: ${(err as Error).message}\n${logged}`);
    }
    await waitFor('sshd to write its pid file', () => existsSync(pidFile));
    await waitFor(`sshd to accept connections on port ${port}`, () => accepts(port));
  };

  const listenerPid = async () => Number((await fs.readFile(pidFile, 'utf8').catch(() => '')).trim());

  const stop = async () => {
    const pid = await listenerPid();
    if (!(pid > 0)) return;
    const all = [pid, ...(await descendants(pid))];
    for (const p of all) {
      try {
        process.kill(p, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    await waitFor('sshd and its sessions to exit', () => all.every((p) => !isRunning(p)));
    await waitFor(`port ${port} to close`, async () => !(await accepts(port)));
  };

  await start();
  const user = os.userInfo().username;
  return {
    host: '127.0.0.1',
    port,
    user,
    identityFile,
    knownHostsFile,
    hostKeyFingerprint,
    dir,
    authorize: async (publicKeyFile) => {
      await fs.appendFile(authorizedKeys, await fs.readFile(publicKeyFile, 'utf8'));
    },
    signalSessions: async (signal) => {
      const pid = await listenerPid();
      const sessions = pid > 0 ? await descendants(pid) : [];
      let signalled = 0;
      for (const p of sessions) {
        try {
          process.kill(p, signal);
          signalled++;
        } catch {
          // exited meanwhile (a connection another test closed)
        }
      }
      return signalled;
    },
    stop: async (options = {}) => {
      await stop();
      if (options.remove) await fs.rm(dir, { recursive: true, force: true });
    },
    restart: async () => {
      await stop();
      await start();
    },
  };
}

/**
 * A fresh repository path on the test server (the server is this machine, so it is a local temp
 * folder): `path` does not exist yet, its parent does; `cleanup` removes both.
 */
export async function makeRemoteRepoPath(): Promise<{ parent: string; path: string; cleanup: () => Promise<void> }> {
  const parent = await fs.mkdtemp(path.join(os.tmpdir(), 'cairn-sftp-repo-'));
  return {
    parent,
    path: path.join(parent, 'nested', 'repo'),
    cleanup: () => fs.rm(parent, { recursive: true, force: true }),
  };
}
