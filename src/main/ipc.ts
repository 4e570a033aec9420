/**
 * The IPC relay between the renderer and the engine, over the desktop contract's channels
 * (src/contract/desktop.ts): answers `cairn:call` from Cairn's own windows only, forwards known
 * contract methods to the engine, runs the follow-up the contract declares for the method (the part
 * only main can reach, see follow-ups.ts), and replies with a plain `{ ok, result | error }`
 * envelope (errors never cross IPC as thrown objects). Engine events are pushed to every open
 * window on `cairn:event`. Given a PasswordVault, it also answers the three main-only vault
 * channels under the same sender checks; passwords never reach the engine's store.
 */
import path from 'node:path';
import type { BrowserWindow, Dialog, IpcMain, IpcMainInvokeEvent } from 'electron';
import {
  CALL_CHANNEL,
  CHOOSE_FOLDER_CHANNEL,
  type DesktopError,
  type DesktopReply,
  EVENT_CHANNEL,
  VAULT_CHANNELS,
} from '../contract/desktop.js';
import { ContractError, ContractErrorCode } from '../contract/errors.js';
import { isMethodName } from '../contract/methods.js';
import type { EngineLike } from './engine-like.js';
import { followUp, followUpRunners } from './follow-ups.js';
import { type PasswordVault, unlockAndRemember } from './secrets.js';
import type { StorageCredentialVault } from './storage-credentials.js';
import { isAppUrl } from './window.js';

export interface IpcRelayOptions {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  engine: EngineLike;
  /** The URL the windows load: only frames showing it may call. */
  appUrl: string;
  /** Cairn's open windows: only their web contents may call, and all of them get events. */
  windows: () => BrowserWindow[];
  /** Where repository passwords are kept for unattended unlock; without it the vault channels are absent. */
  vault?: PasswordVault;
  /** Where remote repositories' credentials are kept across restarts; without it they live for the session. */
  storageVault?: StorageCredentialVault;
  /** Electron's dialog module; with it, `cairn:choose-folder` opens the system folder dialog. */
  dialog?: Pick<Dialog, 'showOpenDialog'>;
}

/** Turns anything thrown by the engine into the contract's error shape. */
export function toIpcError(err: unknown): DesktopError {
  if (err instanceof ContractError) return { code: err.code, message: err.message };
  if (err instanceof Error) {
    const code = ContractErrorCode.safeParse((err as { code?: unknown }).code);
    if (code.success) return { code: code.data, message: err.message };
    return { code: 'internal', message: err.message || 'Cairn hit an unexpected error.' };
  }
  return { code: 'internal', message: 'Cairn hit an unexpected error.' };
}

/** Why a call is refused, or null when it comes from the top frame of one of Cairn's windows. */
export function senderProblem(event: IpcMainInvokeEvent, appUrl: string, windows: BrowserWindow[]): string | null {
  const frame = event.senderFrame;
  if (!frame) return 'the calling page is gone';
  if (frame.parent !== null) return 'calls are only accepted from the main frame';
  if (!isAppUrl(frame.url, appUrl)) return 'the calling page is not Cairn';
  const ours = windows.some((win) => !win.isDestroyed() && win.webContents === event.sender);
  if (!ours) return 'the calling window is not one of Cairn’s';
  return null;
}

/** Registers the relay. Returns a function that removes the handler and stops event delivery. */
export function registerIpc(options: IpcRelayOptions): () => void {
  const { ipcMain, engine, appUrl, windows, vault, storageVault, dialog } = options;
  const runners = followUpRunners({ vault, storageVault });

  ipcMain.handle(CALL_CHANNEL, async (event, method: unknown, params: unknown): Promise<DesktopReply> => {
    const problem = senderProblem(event, appUrl, windows());
    if (problem) return { ok: false, error: { code: 'invalid-request', message: `Request refused: ${problem}.` } };
    if (typeof method !== 'string' || !isMethodName(method)) {
      return { ok: false, error: { code: 'unknown-method', message: `Unknown method: ${String(method)}.` } };
    }
    try {
      const result = await engine.handle(method, params ?? {});
      return { ok: true, result: followUp(method, result, runners, params) };
    } catch (err) {
      return { ok: false, error: toIpcError(err) };
    }
  });

  if (vault) registerVaultChannels(ipcMain, engine, vault, (event) => senderProblem(event, appUrl, windows()));
  if (dialog) {
    ipcMain.handle(CHOOSE_FOLDER_CHANNEL, async (event, defaultPath: unknown): Promise<DesktopReply> => {
      const problem = senderProblem(event, appUrl, windows());
      if (problem) return refused(problem);
      const owner = windows().find((win) => !win.isDestroyed() && win.webContents === event.sender);
      if (!owner) return refused('the calling window is not one of Cairn’s');
      try {
        const start = typeof defaultPath === 'string' && path.isAbsolute(defaultPath) ? defaultPath : undefined;
        const chosen = await dialog.showOpenDialog(owner, {
          title: 'Choose a folder',
          properties: ['openDirectory', 'createDirectory'],
          ...(start ? { defaultPath: start } : {}),
        });
        return { ok: true, result: chosen.canceled ? null : (chosen.filePaths[0] ?? null) };
      } catch (err) {
        return { ok: false, error: toIpcError(err) };
      }
    });
  }

  const unsubscribe = engine.subscribe((event) => {
    for (const win of windows()) {
      if (!win.isDestroyed()) win.webContents.send(EVENT_CHANNEL, event.name, event.payload);
    }
  });

  return () => {
    ipcMain.removeHandler(CALL_CHANNEL);
    if (vault) for (const channel of Object.values(VAULT_CHANNELS)) ipcMain.removeHandler(channel);
    if (dialog) ipcMain.removeHandler(CHOOSE_FOLDER_CHANNEL);
    unsubscribe();
  };
}

function refused(problem: string): DesktopReply {
  return { ok: false, error: { code: 'invalid-request', message: `Request refused: ${problem}.` } };
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

/**
 * The vault channels, each answering with a DesktopReply:
 * - remember (repositoryId, password): unlocks through the engine and keeps the password only if
 *   that succeeded; result is the repository's info.
 * - forget (repositoryId): drops the kept password; result `{ ok: true }`.
 * - status (): result `{ available, reason?, remembered }`.
 */
function registerVaultChannels(
  ipcMain: IpcRelayOptions['ipcMain'],
  engine: EngineLike,
  vault: PasswordVault,
  problemOf: (event: IpcMainInvokeEvent) => string | null,
): void {
  ipcMain.handle(
    VAULT_CHANNELS.remember,
    async (event, repositoryId: unknown, password: unknown): Promise<DesktopReply> => {
      const problem = problemOf(event);
      if (problem) return refused(problem);
      if (!isNonEmptyString(repositoryId)) return refused('a repository id is needed');
      if (!isNonEmptyString(password)) return refused('the password must not be empty');
      try {
        return { ok: true, result: await unlockAndRemember(vault, engine, repositoryId, password) };
      } catch (err) {
        return { ok: false, error: toIpcError(err) };
      }
    },
  );

  ipcMain.handle(VAULT_CHANNELS.forget, async (event, repositoryId: unknown): Promise<DesktopReply> => {
    const problem = problemOf(event);
    if (problem) return refused(problem);
    if (!isNonEmptyString(repositoryId)) return refused('a repository id is needed');
    try {
      vault.forget(repositoryId);
      return { ok: true, result: { ok: true } };
    } catch (err) {
      return { ok: false, error: toIpcError(err) };
    }
  });

  ipcMain.handle(VAULT_CHANNELS.status, async (event): Promise<DesktopReply> => {
    const problem = problemOf(event);
    if (problem) return refused(problem);
    try {
      return { ok: true, result: vault.status() };
    } catch (err) {
      return { ok: false, error: toIpcError(err) };
    }
  });
}
