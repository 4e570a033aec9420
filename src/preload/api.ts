/**
 * The API the preload exposes to the page as `window.cairn`: one function per contract method
 * (generated from `methodNames`) plus `onEvent`. Nothing raw: the page never sees ipcRenderer.
 *
 * A failed call rejects with a plain `{ name: 'ContractError', code, message }` object rather than
 * an Error instance: contextBridge copies Error objects with their message only and drops `code`,
 * while plain objects cross intact. The renderer's transport can rethrow it as a ContractError.
 */

import type { ContractErrorCode } from '../contract/errors.js';
import type { EventName } from '../contract/events.js';
import { type MethodName, methodNames } from '../contract/methods.js';

export type CallReply =
  | { ok: true; result: unknown }
  | { ok: false; error: { code: ContractErrorCode; message: string } };

export interface BridgedError {
  name: 'ContractError';
  code: ContractErrorCode;
  message: string;
}

export type EventListener = (event: EventName, payload: unknown) => void;

export type CairnApi = { [M in MethodName]: (params?: unknown) => Promise<unknown> } & {
  onEvent(listener: EventListener): () => void;
};

export interface PreloadChannel {
  /** Sends one call to the main process and resolves with its reply envelope. */
  invoke(method: MethodName, params: unknown): Promise<unknown>;
  /** Listens for engine events; returns a function that stops listening. */
  listen(listener: EventListener): () => void;
}

function isReply(value: unknown): value is CallReply {
  return typeof value === 'object' && value !== null && typeof (value as { ok?: unknown }).ok === 'boolean';
}

export function buildApi(channel: PreloadChannel): CairnApi {
  const api: Record<string, unknown> = {};
  for (const method of methodNames) {
    api[method] = async (params?: unknown): Promise<unknown> => {
      const reply = await channel.invoke(method, params ?? {});
      if (!isReply(reply)) {
        const error: BridgedError = {
          name: 'ContractError',
          code: 'internal',
          message: 'Cairn sent a malformed reply.',
        };
        throw error;
      }
      if (reply.ok) return reply.result;
      const error: BridgedError = { name: 'ContractError', code: reply.error.code, message: reply.error.message };
      throw error;
    };
  }
  api.onEvent = (listener: EventListener): (() => void) => {
    if (typeof listener !== 'function') throw new TypeError('onEvent needs a function');
    return channel.listen(listener);
  };
  return Object.freeze(api) as CairnApi;
}
