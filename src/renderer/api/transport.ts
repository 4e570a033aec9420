/**
 * Picks how the renderer reaches the engine: the Electron preload (`window.cairn`) or HTTP to
 * `cairn serve` (POST /api/<method> with the bearer token). Every failure becomes a ContractError,
 * except a refused token, which becomes NotAuthorizedError so the app can say what to do.
 */
import type { Transport } from '../../contract/client.js';
import { ContractError, ContractErrorCode } from '../../contract/errors.js';
import type { MethodName } from '../../contract/methods.js';
import { electronBridge } from './bridge.js';

/** The server refused the token (HTTP 401): the page was opened without the link `cairn serve` printed. */
export class NotAuthorizedError extends Error {
  constructor() {
    super('Not authorized: open Cairn with the link that `cairn serve` printed when it started.');
    this.name = 'NotAuthorizedError';
  }
}

/** Turns whatever a call rejected with into a ContractError with a message for a person. */
export function toContractError(error: unknown): ContractError | NotAuthorizedError {
  if (error instanceof ContractError || error instanceof NotAuthorizedError) return error;
  if (typeof error === 'object' && error !== null) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    const parsed = ContractErrorCode.safeParse(code);
    if (parsed.success && typeof message === 'string') return new ContractError(parsed.data, message);
    if (typeof message === 'string') return new ContractError('internal', message);
  }
  return new ContractError('internal', String(error));
}

export function httpTransport(token: string | null): Transport {
  return async (method: MethodName, params: unknown) => {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    let response: Response;
    try {
      response = await fetch(`/api/${method}`, { method: 'POST', headers, body: JSON.stringify(params ?? {}) });
    } catch {
      throw new ContractError('io', 'Cairn is not reachable. Check that `cairn serve` is still running.');
    }
    if (response.status === 401) throw new NotAuthorizedError();
    const body: unknown = await response.json().catch(() => null);
    if (!response.ok) {
      const error = (body as { error?: unknown } | null)?.error;
      const converted = toContractError(error ?? { message: `The server answered ${response.status}.` });
      throw converted;
    }
    return body;
  };
}

export function electronTransport(): Transport | undefined {
  const bridge = electronBridge();
  if (!bridge) return undefined;
  return async (method, params) => {
    try {
      return await (bridge[method] as (p: unknown) => Promise<unknown>)(params);
    } catch (error) {
      throw toContractError(error);
    }
  };
}

/** Electron when the preload is there, otherwise HTTP with the given token. */
export function pickTransport(token: string | null): Transport {
  return electronTransport() ?? httpTransport(token);
}
