/**
 * Turning what ssh2 reports (SFTP status codes, socket errors, handshake and login failures, a
 * connection that went away) into BackendErrors with a message a user can act on: it names the
 * server (user@host:port), what Cairn was doing and why it failed. Nothing secret ever reaches a
 * message: the errors mapped here carry no password or passphrase, and none is added.
 */
import { BackendError, type RefusedHostKey } from '../types.js';

/** SFTP status codes (draft-ietf-secsh-filexfer-02, the version OpenSSH speaks). */
export const SFTP_STATUS = {
  EOF: 1,
  NO_SUCH_FILE: 2,
  PERMISSION_DENIED: 3,
  FAILURE: 4,
  BAD_MESSAGE: 5,
  NO_CONNECTION: 6,
  CONNECTION_LOST: 7,
  OP_UNSUPPORTED: 8,
} as const;

/** The server as messages name it: `user@host:port` (an IPv6 address in brackets). */
export function serverName(address: { user: string; host: string; port: number }): string {
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return `${address.user}@${host}:${address.port}`;
}

/** The connection broke (socket closed, reset, keepalive unanswered) while a request was in flight. */
export class ConnectionLostError extends Error {
  constructor(readonly reason?: unknown) {
    super(`the connection was lost${reason instanceof Error ? ` (${reason.message})` : ''}`, { cause: reason });
    this.name = 'ConnectionLostError';
  }
}

/** The server's host key was refused (see host-key.ts); `detail` is the full explanation. */
export class HostKeyRefusedError extends Error {
  constructor(
    readonly hostKey: RefusedHostKey,
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'HostKeyRefusedError';
  }
}

/** The server accepted none of the login methods tried; `tried` names them (never their secrets). */
export class LoginRefusedError extends Error {
  constructor(
    readonly tried: readonly string[],
    options?: { cause?: unknown },
  ) {
    super('the server accepted none of the login methods', options);
    this.name = 'LoginRefusedError';
  }
}

/** Setting up the connection failed for another reason (no common algorithm, the server hung up). */
export class ConnectFailedError extends Error {
  constructor(
    message: string,
    /** Worth trying again later (the server ended the connection) rather than a setup that cannot work. */
    readonly transient: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ConnectFailedError';
  }
}

/** What an operation was about, for messages: the server, the action ("saving data object 3fa2…") and the thing. */
export interface ErrorContext {
  server: string;
  /** The action in progress, e.g. "saving data object 3fa2…". */
  doing: string;
  /** The thing acted on, e.g. "data object 3fa2…" (for "does not exist", "already exists"). */
  what: string;
}

/** Socket error codes meaning "the server cannot be reached (now)", in plain words. */
const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'the connection was reset',
  ECONNABORTED: 'the connection was aborted',
  EPIPE: 'the connection was closed',
  ETIMEDOUT: 'timed out',
  ENOTFOUND: 'the server name was not found',
  EAI_AGAIN: 'the server name could not be looked up (no answer from the name server)',
  EHOSTUNREACH: 'no route to the server',
  EHOSTDOWN: 'the server is down',
  ENETUNREACH: 'the network is unreachable',
  ENETDOWN: 'the network is down',
  EADDRNOTAVAIL: 'the address is not available',
};

function errorCode(err: unknown): unknown {
  return (err as { code?: unknown } | null)?.code;
}

function errorLevel(err: unknown): unknown {
  return (err as { level?: unknown } | null)?.level;
}

/** The plain-words reason of a network failure, or undefined when `err` is not one. */
export function networkReason(err: unknown): string | undefined {
  const code = errorCode(err);
  if (typeof code === 'string' && code in NETWORK_REASONS) return NETWORK_REASONS[code];
  if (errorLevel(err) === 'client-timeout') return 'no answer in time';
  if (err instanceof ConnectionLostError) return networkReason(err.reason) ?? 'the connection was closed';
  if (err instanceof Error && err.message === 'No response from server') return 'the connection was closed';
  return undefined;
}

/** True when `err` means the connection itself is gone (as opposed to one request failing). */
export function isConnectionFailure(err: unknown): boolean {
  if (err instanceof ConnectionLostError) return true;
  if (err instanceof Error && err.message === 'No response from server') return true;
  const code = errorCode(err);
  return code === SFTP_STATUS.NO_CONNECTION || code === SFTP_STATUS.CONNECTION_LOST;
}

/**
 * Maps any failure of an SFTP operation to a BackendError (a BackendError passes through).
 * `connected` tells whether the connection had been set up: a network failure before is "could
 * not reach", after it "lost the connection".
 */
export function toSftpError(err: unknown, ctx: ErrorContext, connected = true): BackendError {
  if (err instanceof BackendError) return err;
  const { server, doing, what } = ctx;
  if (err instanceof HostKeyRefusedError) {
    return new BackendError('host-key', `refused sftp server ${server} while ${doing}: ${err.detail}`, {
      cause: err,
      hostKey: err.hostKey,
    });
  }
  if (err instanceof LoginRefusedError) {
    const tried = err.tried.length > 0 ? `tried ${err.tried.join(', ')}` : 'no login method was available to try';
    return new BackendError(
      'auth',
      `sftp server ${server} refused the login while ${doing} (${tried}): check the user name and the key or password`,
      { cause: err },
    );
  }
  if (err instanceof ConnectFailedError) {
    return new BackendError(
      err.transient ? 'unavailable' : 'io',
      `could not connect to sftp server ${server} while ${doing}: ${err.message}`,
      { cause: err },
    );
  }
  const code = errorCode(err);
  if (typeof code === 'number') return fromStatus(err, code, ctx);
  const reason = networkReason(err);
  if (reason !== undefined) {
    const message = connected
      ? `lost the connection to sftp server ${server} while ${doing}: ${reason}`
      : `could not reach sftp server ${server} while ${doing}: ${reason}`;
    return new BackendError('unavailable', message, { cause: err });
  }
  const detail = err instanceof Error ? err.message : String(err);
  const level = errorLevel(err);
  if (level === 'client-authentication') {
    return new BackendError('auth', `sftp server ${server} refused the login while ${doing}: ${detail}`, {
      cause: err,
    });
  }
  if (level === 'client-socket' || level === 'protocol') {
    // A broken stream or a garbled packet: the connection is unusable now, a new one may do.
    return new BackendError('unavailable', `lost the connection to sftp server ${server} while ${doing}: ${detail}`, {
      cause: err,
    });
  }
  return new BackendError('io', `sftp server ${server}, ${what}, while ${doing}: ${detail}`, { cause: err });
}

function fromStatus(err: unknown, code: number, ctx: ErrorContext): BackendError {
  const { server, doing, what } = ctx;
  const serverSays = err instanceof Error && err.message !== '' ? err.message : `status ${code}`;
  switch (code) {
    case SFTP_STATUS.NO_SUCH_FILE:
      return new BackendError('not-found', `${what} does not exist on sftp server ${server}`, { cause: err });
    case SFTP_STATUS.PERMISSION_DENIED:
      return new BackendError(
        'permission',
        `no permission to access ${what} on sftp server ${server} (while ${doing})`,
        {
          cause: err,
        },
      );
    case SFTP_STATUS.NO_CONNECTION:
    case SFTP_STATUS.CONNECTION_LOST:
      return new BackendError('unavailable', `lost the connection to sftp server ${server} while ${doing}`, {
        cause: err,
      });
    case SFTP_STATUS.OP_UNSUPPORTED:
      return new BackendError('io', `sftp server ${server} does not support what ${doing} needs (${serverSays})`, {
        cause: err,
      });
    default:
      return new BackendError('io', `sftp server ${server} failed while ${doing}: ${serverSays}`, { cause: err });
  }
}
