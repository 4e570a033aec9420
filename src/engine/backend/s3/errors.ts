/**
 * Turns what the S3 SDK throws into a BackendError a user can act on: the code the engine
 * decides by (types.ts) and a message in plain words naming the server (`host:port/bucket`), the
 * operation, the object and the reason. A secret key never appears in a message: none is put in,
 * and any text quoted from the server or the SDK has the secrets scrubbed from it anyway.
 */
import { BackendError, type BackendErrorCode } from '../types.js';

/** What was being done, for the message. */
export interface ErrorContext {
  /** `host:port/bucket`, as shown in messages. */
  server: string;
  /** The bucket alone (for "the bucket '…' does not exist"). */
  bucket: string;
  /** `host:port` alone. */
  host: string;
  /** A verb phrase, e.g. 'load', 'save', 'list the index objects in'. */
  operation: string;
  /** The object, e.g. 'data object 3fa2…'; empty when the operation says it all. */
  what: string;
  /** The storage class the request asked for, if any (a refusal then most likely concerns it). */
  storageClass?: string | undefined;
  /** Strings that must never be quoted (the secret key, a session token). */
  secrets: readonly string[];
}

/** The facts of an SDK or network error that decide its code. */
export interface ErrorFacts {
  /** The S3 error code (`NoSuchKey`, `SlowDown`, …) or the SDK's name for a body-less answer (`NotFound`). */
  code: string | undefined;
  /** The HTTP status, when the server answered. */
  status: number | undefined;
  /** A Node.js network error code (`ECONNREFUSED`, …). */
  errno: string | undefined;
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'the server refused the connection (is it running?)',
  ECONNRESET: 'the connection was reset',
  EPIPE: 'the connection was closed while sending',
  ECONNABORTED: 'the connection was aborted',
  ETIMEDOUT: 'the connection timed out',
  ENOTFOUND: 'the server name could not be resolved',
  EAI_AGAIN: 'the server name could not be resolved (temporary failure)',
  EHOSTUNREACH: 'the server cannot be reached (no route to host)',
  ENETUNREACH: 'the network is unreachable',
  ENETDOWN: 'the network is down',
  EPROTO: 'the connection failed (protocol error)',
  ERR_SOCKET_CONNECTION_TIMEOUT: 'the connection timed out',
  UND_ERR_SOCKET: 'the connection was closed',
};

/** S3 answers worth retrying later: throttling, the server's own failures, a request timed out server-side. */
const TRANSIENT_CODES = new Set([
  'SlowDown',
  'ServiceUnavailable',
  'InternalError',
  'RequestTimeout',
  'Throttling',
  'ThrottlingException',
  'TooManyRequests',
  'RequestLimitExceeded',
  'OperationAborted',
  // A conditional write raced another on the same key (AWS): retrying gets the real answer (412 or success).
  'ConditionalRequestConflict',
  // The bytes arrived damaged (Content-MD5 mismatch): sending them again is the remedy.
  'BadDigest',
  'IncompleteBody',
]);

const AUTH_CODES: Record<string, string> = {
  InvalidAccessKeyId: 'the server does not know this access key',
  SignatureDoesNotMatch: 'the secret key does not match the access key',
  InvalidToken: 'the session token is not valid',
  ExpiredToken: 'the session token has expired',
  TokenRefreshRequired: 'the session token has expired',
  InvalidSecurity: 'the credentials are not valid',
  RequestTimeTooSkewed: "this computer's clock differs too much from the server's: set the clock right",
  CredentialsProviderError:
    'no S3 credentials were found: give an access key and secret key, set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or name a profile',
};

const REGION_CODES = new Set([
  'PermanentRedirect',
  'AuthorizationHeaderMalformed',
  'IllegalLocationConstraintException',
]);

export function errorFacts(err: unknown): ErrorFacts {
  const e = (err ?? {}) as {
    name?: unknown;
    Code?: unknown;
    code?: unknown;
    $metadata?: { httpStatusCode?: unknown };
    errors?: { code?: unknown }[];
  };
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  // Node's happy-eyeballs connect failure is an AggregateError whose parts carry the codes.
  const errno =
    typeof e.code === 'string' ? e.code : typeof e.errors?.[0]?.code === 'string' ? e.errors[0].code : undefined;
  let code = typeof e.Code === 'string' ? e.Code : undefined;
  if (code === undefined && typeof e.name === 'string' && e.name !== 'Error' && e.name !== 'Unknown') code = e.name;
  return { code, status, errno };
}

/** True when the server said the bucket itself is missing. */
export function isNoSuchBucket(err: unknown): boolean {
  return errorFacts(err).code === 'NoSuchBucket';
}

/** True for "no such object" (or bucket: a HEAD answer cannot tell them apart). */
export function isMissing(err: unknown): boolean {
  const { code, status } = errorFacts(err);
  return status === 404 || code === 'NoSuchKey' || code === 'NotFound' || code === 'NoSuchBucket';
}

/** A 403 or 400 without an S3 code: a HEAD answer has no body, so the reason must be asked again. */
export function isUnexplained(err: unknown): boolean {
  const { code, status } = errorFacts(err);
  return (status === 403 || status === 400) && (code === undefined || code === 'Forbidden' || code === 'BadRequest');
}

/**
 * The error a conditional PutObject meets on an existing key (412), for the multipart path that
 * finds the key by a HEAD instead: toS3Error words both the same way.
 */
export function preconditionFailed(): Error {
  return Object.assign(new Error('PreconditionFailed'), {
    name: 'PreconditionFailed',
    $metadata: { httpStatusCode: 412 },
  });
}

/** Removes every secret from text quoted in a message. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('[secret]');
  // Signatures and credentials headers are not secrets, but they are noise to a user.
  return out.replace(/Signature=[0-9a-f]+/gi, 'Signature=…');
}

export function toS3Error(err: unknown, ctx: ErrorContext): BackendError {
  if (err instanceof BackendError) return err;
  const { code, status, errno } = errorFacts(err);
  const subject = ctx.what === '' ? ctx.operation : `${ctx.operation} ${ctx.what}`;
  const failed = (reason: string) => `could not ${subject} at ${ctx.server}: ${reason}`;
  const make = (kind: BackendErrorCode, message: string) =>
    new BackendError(kind, scrub(message, ctx.secrets), { cause: err });
  const label = [code, status].filter((x) => x !== undefined).join(', ');

  // System error codes (E…) are the network's; Node's own (ERR_…) are bugs, not outages, unless listed.
  if (errno !== undefined && (NETWORK_REASONS[errno] !== undefined || (/^E[A-Z]+$/.test(errno) && !status))) {
    return make('unavailable', failed(`${NETWORK_REASONS[errno] ?? `network error`} (${errno})`));
  }
  if (code === 'TimeoutError' || code === 'RequestTimeout' || code === 'AbortError') {
    return make('unavailable', failed(`the server did not answer in time (${code})`));
  }
  if (code === 'NoSuchBucket') {
    return make('not-found', `the bucket '${ctx.bucket}' does not exist at ${ctx.host} (to ${subject})`);
  }
  if (code === 'NoSuchKey' || code === 'NotFound' || status === 404) {
    return make('not-found', `${ctx.what || 'the object'} does not exist at ${ctx.server}`);
  }
  if (code === 'PreconditionFailed' || status === 412) {
    return make('exists', `${ctx.what || 'the object'} already exists at ${ctx.server}`);
  }
  if (code === 'InvalidRange' || status === 416) {
    return make('range', failed('the range asked for lies past the end of the object'));
  }
  if (code !== undefined && AUTH_CODES[code] !== undefined) {
    return make('auth', failed(`${AUTH_CODES[code]} (${code})`));
  }
  if (code === 'QuotaExceeded' || code === 'EntityTooLarge' || code === 'InsufficientCapacity') {
    return make('no-space', failed(`the storage refused the bytes for lack of space or quota (${code})`));
  }
  if (code === 'AccessDenied' || code === 'AllAccessDisabled' || code === 'AccountProblem' || status === 403) {
    return make('permission', failed(`access denied (${label}): the credentials lack the permission`));
  }
  if (code === 'InvalidStorageClass' || (code === 'InvalidArgument' && ctx.storageClass)) {
    return make('io', failed(`the server does not accept the storage class '${ctx.storageClass}' (${label})`));
  }
  if (code === 'NotImplemented' || code === 'NotSupported' || status === 501) {
    // Not worth retrying: this server lacks a feature the backend needs.
    return make('io', failed(`the server does not support this request (${label})`));
  }
  if ((code !== undefined && REGION_CODES.has(code)) || status === 301 || status === 307) {
    return make('io', failed(`the bucket is in another region than the one signed for; give its region (${label})`));
  }
  if ((code !== undefined && TRANSIENT_CODES.has(code)) || status === 429 || (status !== undefined && status >= 500)) {
    return make('unavailable', failed(`the server answered with a temporary failure (${label})`));
  }
  const detail = err instanceof Error && err.message !== 'UnknownError' ? `: ${err.message}` : '';
  return make('io', failed(`${label || 'unexpected error'}${detail}`));
}
