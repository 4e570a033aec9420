/**
 * "Test connection" in plain words: turns whatever opening or probing a storage location threw
 * into one of the contract's problem kinds (dns, refused, timeout, auth, host key unknown or
 * changed, permission, missing bucket, invalid location, other) with a message that says what
 * is wrong and what to do. The facts come from the BackendError (its code, the refused host key)
 * and from the errors it wraps (`cause`): Node's errno codes (ENOTFOUND, ECONNREFUSED…), ssh2's
 * `level`, the AWS SDK's error names (NoSuchBucket…) and HTTP status. No secret reaches a
 * message: backend messages never carry one, and nothing here quotes a credential.
 */
import type { z } from 'zod';
import type { ConnectionProblem, HostKey } from '../../contract/storage.js';
import { LocationError, type ParsedLocation } from '../../engine/backend/location.js';
import { BackendError, type RefusedHostKey } from '../../engine/backend/types.js';
import { CairnError } from '../../engine/errors.js';

export type ProblemKind = z.output<typeof ConnectionProblem>;

export interface Problem {
  problem: ProblemKind;
  message: string;
  hostKey?: z.output<typeof HostKey>;
}

/** Our own bound on a test: the storage did not answer within `ms`. */
export class TestTimeout extends Error {
  constructor(readonly ms: number) {
    super(`no answer within ${Math.round(ms / 1000)} seconds`);
    this.name = 'TestTimeout';
  }
}

const DNS = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL', 'EAI_NODATA']);
const TIMEOUT = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'TimeoutError', 'RequestTimeout', 'client-timeout']);
const AUTH = new Set([
  'client-authentication',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'InvalidClientTokenId',
  'CredentialsProviderError',
  'ExpiredToken',
]);
const PERMISSION = new Set(['EACCES', 'EPERM', 'AccessDenied', 'AllAccessDisabled']);
const UNREACHABLE = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE']);

/** What the errors of a failure say about themselves, the whole `cause` chain gathered. */
interface Facts {
  codes: Set<string>;
  /** The codes of the BackendErrors in the chain (a backend may wrap another's error). */
  backendCodes: Set<string>;
  httpStatus?: number;
  hostKey?: RefusedHostKey;
}

function factsOf(err: unknown): Facts {
  const facts: Facts = { codes: new Set(), backendCodes: new Set() };
  const seen = new Set<unknown>();
  const visit = (e: unknown, depth: number): void => {
    if (typeof e !== 'object' || e === null || seen.has(e) || depth > 8) return;
    seen.add(e);
    if (e instanceof BackendError) {
      facts.backendCodes.add(e.code);
      if (e.code === 'host-key' && e.hostKey && !facts.hostKey) facts.hostKey = e.hostKey;
    }
    const o = e as Record<string, unknown>;
    for (const key of ['code', 'name', 'Code', 'level', 'errno']) {
      const value = o[key];
      if (typeof value === 'string' && value !== '') facts.codes.add(value);
    }
    const status = (o.$metadata as { httpStatusCode?: unknown } | undefined)?.httpStatusCode;
    if (typeof status === 'number' && facts.httpStatus === undefined) facts.httpStatus = status;
    visit(o.cause, depth + 1);
    if (Array.isArray(o.errors)) for (const inner of o.errors) visit(inner, depth + 1);
  };
  visit(err, 0);
  return facts;
}

function any(codes: Set<string>, wanted: Set<string>): boolean {
  for (const code of codes) if (wanted.has(code)) return true;
  return false;
}

function server(where: ParsedLocation): string {
  if (where.kind === 'local') return 'this computer';
  return where.port === undefined ? where.host : `${where.host}:${where.port}`;
}

/** The port a connection went to, for "refused the connection on port N". */
function port(where: ParsedLocation): string {
  if (where.kind === 'sftp') return String(where.port);
  if (where.kind === 's3') return String(where.port ?? (where.tls ? 443 : 80));
  return '';
}

/** The problem kind and plain words for a failure to reach `where`. */
export function classifyFailure(err: unknown, where: ParsedLocation | undefined): Problem {
  if (err instanceof LocationError || !where) {
    return { problem: 'invalid-location', message: messageOf(err) };
  }
  if (err instanceof CairnError && err.code === 'invalid-argument') {
    // backendAt's wording of a location the engine cannot open.
    return { problem: 'invalid-location', message: messageOf(err) };
  }
  const facts = factsOf(err);
  const { hostKey, backendCodes } = facts;
  if (hostKey) {
    const key = {
      host: hostKey.host,
      port: hostKey.port,
      fingerprint: hostKey.fingerprint,
      algorithm: hostKey.algorithm,
    };
    return hostKey.status === 'changed'
      ? { problem: 'host-key-changed', message: hostKeyChanged(hostKey.host), hostKey: key }
      : { problem: 'host-key-unknown', message: hostKeyUnknown(hostKey.host), hostKey: key };
  }
  const { codes } = facts;
  const name = server(where);
  if (err instanceof TestTimeout || any(codes, TIMEOUT)) {
    return {
      problem: 'timeout',
      message: `${name} did not answer in time. Check the server's name and port, that it is switched on, and that no firewall blocks the connection.`,
    };
  }
  if (any(codes, DNS)) {
    return {
      problem: 'dns',
      message: `Cairn could not find a server named “${where.kind === 'local' ? name : where.host}”. Check the spelling of its name and that this computer is online.`,
    };
  }
  if (codes.has('ECONNREFUSED')) {
    const service = where.kind === 'sftp' ? 'SSH' : 'S3';
    return {
      problem: 'refused',
      message: `${name} refused the connection on port ${port(where)}. Check the port number and that the ${service} service is running there.`,
    };
  }
  if (codes.has('NoSuchBucket') || (where.kind === 's3' && backendCodes.has('not-found'))) {
    const bucket = where.kind === 's3' ? where.bucket : '';
    return {
      problem: 'missing-bucket',
      message: `There is no bucket named “${bucket}” on ${name}. Check its name (creating a new repository creates its bucket).`,
    };
  }
  if (codes.has('CredentialsProviderError')) {
    return {
      problem: 'auth',
      message:
        'Cairn has no access key for this storage. Enter the access key ID and the secret access key, or start Cairn with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set.',
    };
  }
  if (backendCodes.has('auth') || any(codes, AUTH) || facts.httpStatus === 401) {
    return { problem: 'auth', message: authMessage(where) };
  }
  if (backendCodes.has('permission') || any(codes, PERMISSION) || facts.httpStatus === 403) {
    return { problem: 'permission', message: permissionMessage(where) };
  }
  if (any(codes, UNREACHABLE)) {
    return {
      problem: 'other',
      message: `The connection to ${name} failed (${[...codes].find((c) => UNREACHABLE.has(c))}). Check that this computer can reach the server.`,
    };
  }
  return { problem: 'other', message: `Cairn could not use this storage: ${messageOf(err)}` };
}

function hostKeyUnknown(host: string): string {
  return `Cairn has not connected to ${host} before. Compare the server's key fingerprint below with the one its administrator gives you, and trust the server only if they are the same.`;
}

function hostKeyChanged(host: string): string {
  return `Warning: the key of ${host} is not the one recorded for it in the known-hosts file. The server may have been reinstalled, or someone may be intercepting the connection, so Cairn will not connect. Ask the server's administrator; only if the key really changed, remove the old entry from the known-hosts file.`;
}

function authMessage(where: ParsedLocation): string {
  if (where.kind === 'sftp') {
    return `The server did not accept the sign-in of user “${where.user}”. Check the user name and the password, or the key file and its passphrase (or that the SSH agent holds the key).`;
  }
  if (where.kind === 's3') {
    return 'The storage did not accept the access key. Check the access key ID and the secret access key (or the AWS variables Cairn was started with).';
  }
  return 'This computer refused access.';
}

function permissionMessage(where: ParsedLocation): string {
  if (where.kind === 'sftp') {
    return `The server refused access to ${where.path}. Check that user “${where.user}” may read and write that folder.`;
  }
  if (where.kind === 's3') {
    return `The storage refused access to the bucket “${where.bucket}”. Check that the access key may list, read and write objects in it.`;
  }
  return `Cairn may not read or write ${where.path}. Check the folder's permissions.`;
}

function messageOf(err: unknown): string {
  return err instanceof Error && err.message ? err.message : String(err);
}
