/**
 * The shape of `window.cairn`, which the Electron preload exposes: one function per contract
 * method plus `onEvent`, and the desktop-only password vault. Absent in a browser talking to `cairn serve`.
 */
import type { EventName } from '../../contract/events.js';
import type { MethodName, Params, Result } from '../../contract/methods.js';

export type CairnBridge = { [M in MethodName]: (params: Params<M>) => Promise<Result<M>> } & {
  /** Subscribes to contract events; returns the unsubscribe function. */
  onEvent(listener: (name: EventName, payload: unknown) => void): () => void;
  /** Desktop only: unlocks, then keeps the password in the system keyring (safeStorage). */
  rememberPassword(repositoryId: string, password: string): Promise<unknown>;
  forgetPassword(repositoryId: string): Promise<unknown>;
  vaultStatus(): Promise<{ available: boolean; reason?: string; remembered: string[] }>;
  /** Desktop only: the system's folder dialog; resolves to the chosen folder, or null when cancelled. */
  chooseFolder?(defaultPath?: string): Promise<string | null>;
};

declare global {
  interface Window {
    cairn?: CairnBridge;
  }
}

export function electronBridge(): CairnBridge | undefined {
  return window.cairn;
}
