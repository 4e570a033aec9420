/**
 * How failures cross the contract: a stable code and a message written for a person.
 * `invalid-request` is a request that failed its schema (HTTP 400); the others come from the engine.
 */
import { z } from 'zod';

export const ContractErrorCode = z.enum([
  'invalid-request',
  'unknown-method',
  'wrong-password',
  'no-repository',
  'not-found',
  'locked',
  'integrity',
  'no-space',
  'unsupported-format',
  'invalid-argument',
  'io',
  /** A frozen (restricted, GDPR Art. 18) recovery point whose contents were asked for. */
  'restricted',
  'internal',
]);
export type ContractErrorCode = z.infer<typeof ContractErrorCode>;

export const ContractErrorBody = z.object({ error: z.object({ code: ContractErrorCode, message: z.string() }) });

export class ContractError extends Error {
  constructor(
    readonly code: ContractErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ContractError';
  }
}
