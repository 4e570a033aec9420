/**
 * How the engine host reports failures through the contract: zod issues as one readable reason,
 * and any error thrown below the contract (engine, storage, Node) as a ContractError with a
 * stable code. Shared by the host's dispatch, its session registry and the HTTP server.
 */
import type { z } from 'zod';
import { ContractError } from '../../contract/errors.js';
import { BackendError } from '../../engine/backend/types.js';
import { CairnError, describeError } from '../../engine/errors.js';

/** A readable reason from zod issues: `path: message; path: message`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.length > 0 ? issue.path.map(String).join('.') : 'the request';
      return `${where}: ${issue.message}`;
    })
    .join('; ');
}

/** Any error thrown by the engine → a ContractError with a message for people. */
export function toContractError(err: unknown): ContractError {
  if (err instanceof ContractError) return err;
  if (err instanceof CairnError) return new ContractError(err.code, err.message);
  if (err instanceof BackendError) {
    const code =
      err.code === 'not-found'
        ? 'not-found'
        : err.code === 'no-space'
          ? 'no-space'
          : err.code === 'range' || err.code === 'invalid-object'
            ? 'integrity'
            : err.code === 'exists'
              ? 'invalid-argument'
              : 'io';
    return new ContractError(code, err.message);
  }
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOSPC') return new ContractError('no-space', 'no space left on the device');
  if (typeof e?.code === 'string' && /^E[A-Z]+$/.test(e.code)) return new ContractError('io', describeError(err));
  return new ContractError('internal', e instanceof Error && e.message ? e.message : String(err));
}
