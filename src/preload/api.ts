/**
 * Builds `window.cairn` (the desktop contract's CairnDesktopApi, src/contract/desktop.ts): one
 * function per contract method (generated from `methodNames`) plus `onEvent`, the three
 * password-vault functions and `chooseFolder`, which the main process answers itself, never the
 * engine, and `onShow`, main's destinations (kept until the page listens). Nothing raw: the page
 * never sees ipcRenderer.
 *
 * A failed call rejects with a plain BridgedError `{ name: 'ContractError', code, message }` rather
 * than an Error instance, which contextBridge would strip of its `code`. The renderer's transport
 * rethrows it as a ContractError.
 */

import {
  type BridgedError,
  type CairnDesktopApi,
  CHOOSE_FOLDER_CHANNEL,
  DesktopDestination,
  type DesktopEventListener,
  type DesktopReply,
  type MainOnlyChannel,
  VAULT_CHANNELS,
} from '../contract/desktop.js';
import { type MethodName, methodNames } from '../contract/methods.js';

export interface PreloadChannel {
  /** Sends one call to the main process and resolves with its reply envelope. */
  invoke(method: MethodName, params: unknown): Promise<unknown>;
  /** Sends one request on a channel main answers itself and resolves with its reply envelope. */
  invokeMain(channel: MainOnlyChannel, args: unknown[]): Promise<unknown>;
  /** Listens for engine events; returns a function that stops listening. */
  listen(listener: DesktopEventListener): () => void;
  /** Listens for main's destinations (SHOW_CHANNEL) for as long as the page lives. */
  listenShow(listener: (payload: unknown) => void): void;
}

function isReply(value: unknown): value is DesktopReply {
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

export function buildApi(channel: PreloadChannel): CairnDesktopApi {
  const api: Record<string, unknown> = {};
  for (const method of methodNames) {
    api[method] = (params?: unknown): Promise<unknown> => request(() => channel.invoke(method, params ?? {}));
  }
  api.onEvent = (listener: DesktopEventListener): (() => void) => {
    if (typeof listener !== 'function') throw new TypeError('onEvent needs a function');
    return channel.listen(listener);
  };
  api.rememberPassword = (repositoryId: string, password: string): Promise<unknown> =>
    request(() => channel.invokeMain(VAULT_CHANNELS.remember, [repositoryId, password]));
  api.forgetPassword = async (repositoryId: string): Promise<void> => {
    await request(() => channel.invokeMain(VAULT_CHANNELS.forget, [repositoryId]));
  };
  api.vaultStatus = (): Promise<unknown> => request(() => channel.invokeMain(VAULT_CHANNELS.status, []));
  api.chooseFolder = (defaultPath?: string): Promise<unknown> =>
    request(() => channel.invokeMain(CHOOSE_FOLDER_CHANNEL, typeof defaultPath === 'string' ? [defaultPath] : []));
  api.onShow = followDestinations(channel);
  return Object.freeze(api) as CairnDesktopApi;
}

type DestinationListener = (destination: DesktopDestination) => void;

/**
 * `onShow`: listens from the start, because main sends a destination as soon as a just-opened
 * window has loaded, which can be before the page subscribes; the latest one that found no
 * listener waits for the first. What is not a destination is dropped.
 */
function followDestinations(channel: PreloadChannel): (listener: DestinationListener) => () => void {
  const listeners = new Set<DestinationListener>();
  let waiting: DesktopDestination | null = null;
  channel.listenShow((payload) => {
    const parsed = DesktopDestination.safeParse(payload);
    if (!parsed.success) return;
    if (listeners.size === 0) waiting = parsed.data;
    for (const listener of listeners) listener(parsed.data);
  });
  return (listener) => {
    if (typeof listener !== 'function') throw new TypeError('onShow needs a function');
    listeners.add(listener);
    const pending = waiting;
    waiting = null;
    if (pending) listener(pending);
    return () => {
      listeners.delete(listener);
    };
  };
}
