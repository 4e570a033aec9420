/**
 * The SSH connection of one SftpBackend: opened lazily on the first call (so constructing a
 * backend never touches the network), one connection with one SFTP channel shared by every
 * call. When it is lost (server restarted, network gone, keepalives unanswered), the calls in
 * flight fail and the next call connects anew, once per call: retrying and pacing are the
 * retry wrapper's job, not this one's. `close()` is idempotent; a call after it connects again.
 *
 * Setting up checks the server's host key against the known-hosts files (host-key.ts) and logs
 * in with the methods auth.ts lists; a refusal of either is reported as its own error
 * (HostKeyRefusedError, LoginRefusedError) for errors.ts to word.
 */
import os from 'node:os';
import path from 'node:path';
import type { ServerHostKeyAlgorithm } from 'ssh2';
import type { SftpOptions } from '../options.js';
import { BackendError } from '../types.js';
import { expandHome, prepareLogin } from './auth.js';
import { ConnectFailedError, ConnectionLostError, LoginRefusedError, networkReason } from './errors.js';
import { hostKeyPolicy } from './host-key.js';
import { readKnownHosts } from './known-hosts.js';
import { SftpSession } from './session.js';
import { ssh2 } from './ssh2-module.js';

export interface SftpTarget {
  user: string;
  host: string;
  port: number;
}

const DEFAULT_TIMEOUT_MS = 20_000;
/** The global known-hosts file ssh also reads when no file was chosen. */
const GLOBAL_KNOWN_HOSTS = '/etc/ssh/ssh_known_hosts';
/** The server's DISCONNECT reason for "no more authentication methods" (RFC 4250). */
const NO_MORE_AUTH_METHODS = 14;

export class SftpConnection {
  private session?: SftpSession;
  private connecting?: Promise<SftpSession>;

  constructor(
    private readonly target: SftpTarget,
    private readonly options: SftpOptions = {},
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  /** The live session: the current one, or a new one when there is none yet or it was lost. */
  get(): Promise<SftpSession> {
    if (this.session?.alive) return Promise.resolve(this.session);
    // Calls arriving while a connection is being set up wait for that one.
    this.connecting ??= this.open().then(
      (session) => {
        this.connecting = undefined;
        this.session = session;
        return session;
      },
      (err: unknown) => {
        this.connecting = undefined;
        throw err;
      },
    );
    return this.connecting;
  }

  async close(): Promise<void> {
    const pending = this.connecting;
    this.session?.end();
    this.session = undefined;
    if (pending) (await pending.catch(() => undefined))?.end();
  }

  /** The known-hosts files to check against: the chosen one, or the user's and the system's. */
  knownHostsFiles(): string[] {
    if (this.options.knownHostsFile) return [expandHome(this.options.knownHostsFile)];
    return [path.join(os.homedir(), '.ssh', 'known_hosts'), GLOBAL_KNOWN_HOSTS];
  }

  private async open(): Promise<SftpSession> {
    const { user, host, port } = this.target;
    const files = this.knownHostsFiles();
    const entries = await readKnownHosts(files).catch((err: unknown) => {
      throw new BackendError('io', `could not read the known-hosts file (${files.join(', ')}): ${String(err)}`, {
        cause: err,
      });
    });
    const policy = hostKeyPolicy({ host, port }, entries, {
      acceptHostKey: this.options.acceptHostKey,
      knownHostsFile: files[0] as string,
    });
    const login = await prepareLogin(user, this.options, this.env);
    const timeout = this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const client = new (ssh2().Client)();

    return await new Promise<SftpSession>((resolve, reject) => {
      let settled = false;
      const fail = (err: unknown) => {
        if (settled) return;
        settled = true;
        client.destroy();
        reject(err);
      };
      // Stays attached for the connection's life: ssh2 may report more after a failure, and an
      // 'error' event with no listener would end the process.
      client.on('error', (err: Error & { level?: string; code?: unknown }) => {
        if (settled) return;
        if (err.level === 'agent') return; // an agent that cannot be asked: ssh2 goes on with the next method
        if (policy.refusal) return fail(policy.refusal);
        if (err.level === 'client-authentication' || err.code === NO_MORE_AUTH_METHODS) {
          return fail(new LoginRefusedError(login.tried, { cause: err }));
        }
        if (networkReason(err) !== undefined) return fail(err);
        if (err.message === 'Connection lost before handshake') {
          // Refused by a busy server (MaxStartups), or not an SSH server at all.
          return fail(
            new ConnectFailedError('the connection was closed before the SSH handshake', true, { cause: err }),
          );
        }
        if (err.level === 'handshake') {
          return fail(
            new ConnectFailedError(`the secure connection could not be set up (${err.message})`, false, { cause: err }),
          );
        }
        fail(new ConnectFailedError(`the server ended the connection (${err.message})`, true, { cause: err }));
      });
      client.on('close', () => fail(policy.refusal ?? new ConnectionLostError()));
      client.on('ready', () => {
        // Many small requests share the connection: Nagle's delay would hold each one back.
        client.setNoDelay(true);
        client.sftp((err, sftp) => {
          if (err) {
            const reason = `the server did not start SFTP (${err.message}); is its SFTP subsystem enabled?`;
            return fail(new ConnectFailedError(reason, false, { cause: err }));
          }
          if (settled) return sftp.end();
          settled = true;
          resolve(new SftpSession(client, sftp));
        });
      });
      try {
        client.connect({
          host,
          port,
          username: user,
          readyTimeout: timeout,
          // A server that stops answering is noticed within a few intervals; the calls then fail
          // instead of waiting forever.
          keepaliveInterval: Math.max(1000, Math.round(timeout / 2)),
          keepaliveCountMax: 3,
          hostVerifier: (key: Buffer) => policy.verify(key),
          authHandler: login.handler,
          algorithms: { serverHostKey: policy.algorithms as ServerHostKeyAlgorithm[] },
        });
      } catch (err) {
        fail(new ConnectFailedError(`the connection could not be started (${String(err)})`, false, { cause: err }));
      }
    });
  }
}
