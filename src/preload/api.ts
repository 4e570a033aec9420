/**
 * The API the preload exposes to the page as `window.cairn`: one function per contract method
 * (generated from `methodNames`) plus `onEvent`, the three password-vault functions
 * (`rememberPassword`, `forgetPassword`, `vaultStatus`) and `chooseFolder` (the system folder
 * dialog), all answered by the main process itself, never the engine. Nothing raw: the page never sees ipcRenderer.
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

/** The main-only channels of the password vault (see src/main/ipc.ts). */
export const VAULT_CHANNELS = {
  remember: 'cairn:remember-password',
  forget: 'cairn:forget-password',
  status: 'cairn:vault-status',
} as const;
/** The main-only channel of the system folder dialog (see src/main/ipc.ts). */
export const CHOOSE_FOLDER_CHANNEL = 'cairn:choose-folder';
export type VaultChannel = (typeof VAULT_CHANNELS)[keyof typeof VAULT_CHANNELS] | typeof CHOOSE_FOLDER_CHANNEL;

export interface VaultStatus {
  available: boolean;
  /** Why passwords cannot be kept here (only when `available` is false). */
  reason?: string;
  /** The repositories whose password is kept. */
  remembered: string[];
}

export type CairnApi = { [M in MethodName]: (params?: unknown) => Promise<unknown> } & {
  onEvent(listener: EventListener): () => void;
  /** Unlocks the repository with `password` and, only if that worked, keeps the password for unattended unlock. */
  rememberPassword(repositoryId: string, password: string): Promise<unknown>;
  /** Drops the kept password of the repository. */
  forgetPassword(repositoryId: string): Promise<void>;
  vaultStatus(): Promise<VaultStatus>;
  /** Opens the system folder dialog; the chosen folder, or null when cancelled. */
  chooseFolder(defaultPath?: string): Promise<string | null>;
};

export interface PreloadChannel {
  /** Sends one call to the main process and resolves with its reply envelope. */
  invoke(method: MethodName, params: unknown): Promise<unknown>;
  /** Sends one request on a vault channel and resolves with its reply envelope. */
  invokeVault(channel: VaultChannel, args: unknown[]): Promise<unknown>;
  /** Listens for engine events; returns a function that stops listening. */
  listen(listener: EventListener): () => void;
}

function isReply(value: unknown): value is CallReply {
  return typeof value === 'object' && value !== null && typeof (value as { ok?: unknown }).ok === 'boolean';
}

/** Unwraps a reply envelope: the result, or a thrown BridgedError. */
function unwrap(reply: unknown): unknown {
  if (!isReply(reply)) {
    const error: BridgedError = { name: 'ContractError', code: 'internal', message: 'Cairn sent a malformed reply.' };
    throw error;
  }
  if (reply.ok) return reply.result;
  const error: BridgedError = { name: 'ContractError', code: reply.error.code, message: reply.error.message };
  throw error;
}

/** Sends a request and unwraps its reply; a failed IPC round trip also rejects with a BridgedError. */
async function request(send: () => Promise<unknown>): Promise<unknown> {
  let reply: unknown;
  try {
    reply = await send();
  } catch (err) {
    const error: BridgedError = {
      name: 'ContractError',
      code: 'internal',
      message: `Cairn's main process did not answer: ${err instanceof Error ? err.message : String(err)}`,
    };
    throw error;
  }
  return unwrap(reply);
}

export function buildApi(channel: PreloadChannel): CairnApi {
  const api: Record<string, unknown> = {};
  for (const method of methodNames) {
    api[method] = (params?: unknown): Promise<unknown> => request(() => channel.invoke(method, params ?? {}));
  }
  api.onEvent = (listener: EventListener): (() => void) => {
    if (typeof listener !== 'function') throw new TypeError('onEvent needs a function');
    return channel.listen(listener);
  };
  api.rememberPassword = (repositoryId: string, password: string): Promise<unknown> =>
    request(() => channel.invokeVault(VAULT_CHANNELS.remember, [repositoryId, password]));
  api.forgetPassword = async (repositoryId: string): Promise<void> => {
    await request(() => channel.invokeVault(VAULT_CHANNELS.forget, [repositoryId]));
  };
  api.vaultStatus = (): Promise<unknown> => request(() => channel.invokeVault(VAULT_CHANNELS.status, []));
  api.chooseFolder = (defaultPath?: string): Promise<unknown> =>
    request(() => channel.invokeVault(CHOOSE_FOLDER_CHANNEL, typeof defaultPath === 'string' ? [defaultPath] : []));
  return Object.freeze(api) as CairnApi;
}
