/**
 * Error types the engine raises for conditions a user must understand. Each carries a stable
 * `code` that the CLI maps to an exit code and the contract maps to a message; the message itself
 * is written for a person (no stack traces needed to understand it).
 */

export type CairnErrorCode =
  | 'wrong-password'
  | 'no-repository'
  | 'integrity'
  | 'locked'
  | 'unsupported-format'
  | 'invalid-argument'
  | 'not-found'
  | 'no-space'
  | 'io'
  /** A recovery point restricted (frozen, GDPR Art. 18) whose contents may not be read. */
  | 'restricted';

export class CairnError extends Error {
  readonly code: CairnErrorCode;
  constructor(code: CairnErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CairnError';
    this.code = code;
  }
}

/** An object failed authentication, or a blob's content did not match its id. */
export class IntegrityError extends CairnError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('integrity', message, options);
    this.name = 'IntegrityError';
  }
}

export class WrongPasswordError extends CairnError {
  constructor() {
    super('wrong-password', 'wrong password (no key slot matches)');
    this.name = 'WrongPasswordError';
  }
}

/** What restore, check and loading say of a pack the index names but the repository lacks. */
export function missingPackMessage(packId: string): string {
  return `pack ${packId.slice(0, 12)} is missing from the repository`;
}

/** What loading and restore say of a blob a tree names but the index does not list. */
export function missingBlobMessage(blobId: string): string {
  return `blob ${blobId.slice(0, 12)} is not in the index: data is missing from the repository`;
}

/** A short, user-facing description of a file-system error (errno code → words). */
export function describeError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'ENOENT':
      return 'no such file or folder (it may have been removed during the backup)';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EIO':
      return 'input/output error while reading';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'EISDIR':
      return 'is a folder';
    default:
      return e?.message ?? String(err);
  }
}
