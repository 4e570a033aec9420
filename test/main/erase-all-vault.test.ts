/**
 * Erasing everything reaches the keychain vault only through the main process: the desktop
 * contract declares the `clear-password-vault` follow-up for 'privacy.eraseAll', and after the
 * engine answers it the IPC relay runs that follow-up: it clears the vault (the file, and a
 * corrupt copy set aside earlier) and adds that to the receipt file the engine wrote. Other calls
 * leave it alone. Runs over the fake `electron` module and a fake engine that writes a receipt like
 * the real one.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserWindow as ElectronWindow, IpcMain, IpcMainInvokeEvent } from 'electron';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CALL_CHANNEL, DESKTOP_FOLLOW_UPS } from '../../src/contract/desktop.js';
import type { EngineEventListener, EngineLike } from '../../src/main/engine-like.js';
import { registerIpc } from '../../src/main/ipc.js';
import { clearVaultAfterEraseAll, PasswordVault, type SafeStorageLike } from '../../src/main/secrets.js';
import { BrowserWindow, ipcMain, resetFake } from './fake-electron.js';

const APP_URL = 'file:///opt/Cairn/out/renderer/index.html';

class XorSafeStorage implements SafeStorageLike {
  isEncryptionAvailable(): boolean {
    return true;
  }
  encryptString(plainText: string): Buffer {
    return Buffer.from(Buffer.from(plainText, 'utf8').map((b) => b ^ 0x33));
  }
  decryptString(encrypted: Buffer): string {
    return Buffer.from(encrypted.map((b) => b ^ 0x33)).toString('utf8');
  }
  getSelectedStorageBackend(): string {
    return 'gnome_libsecret';
  }
}

class ErasingEngine implements EngineLike {
  calls: string[] = [];
  constructor(private readonly receiptFile: string) {}
  async handle(method: string): Promise<unknown> {
    this.calls.push(method);
    if (method !== 'privacy.eraseAll') return { ok: true };
    const receipt = { version: 1, kind: 'erase-all', request: 'eraseall-1', receiptFile: this.receiptFile };
    fs.writeFileSync(this.receiptFile, JSON.stringify(receipt));
    return receipt;
  }
  subscribe(_listener: EngineEventListener): () => void {
    return () => {};
  }
  async close(): Promise<void> {}
}

let dir: string;
let vaultFile: string;
let vault: PasswordVault;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-erase-vault-'));
  vaultFile = path.join(dir, 'data', 'vault.json');
  vault = new PasswordVault({ safeStorage: new XorSafeStorage(), platform: 'linux', file: vaultFile, log: () => {} });
  vault.remember('repo-a', 'pw-a');
  vault.remember('repo-b', 'pw-b');
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function relay(engine: EngineLike, withVault = true) {
  resetFake();
  const win = new BrowserWindow({});
  registerIpc({
    ipcMain: ipcMain as unknown as IpcMain,
    engine,
    appUrl: APP_URL,
    windows: () => [win] as unknown as ElectronWindow[],
    ...(withVault ? { vault } : {}),
  });
  const handler = ipcMain.handlers.get(CALL_CHANNEL);
  if (!handler) throw new Error('no call handler');
  const frame = { url: APP_URL, parent: null };
  return (method: string, params: unknown = {}) =>
    handler({ senderFrame: frame, sender: win.webContents } as unknown as IpcMainInvokeEvent, method, params);
}

describe('erasing everything clears the kept passwords', () => {
  it('is the follow-up the desktop contract declares for privacy.eraseAll, and for no other method', () => {
    expect(DESKTOP_FOLLOW_UPS).toEqual({
      'privacy.eraseAll': 'clear-password-vault',
      // Remote storage credentials are kept by a follow-up of their own (storage-credentials.test.ts).
      'repo.create': 'keep-storage-credentials',
      'repo.connect': 'keep-storage-credentials',
      'repo.setStorageSettings': 'keep-storage-credentials',
      // A changed password and a removed repository have theirs (vault-follow-ups.test.ts).
      'keys.changePassword': 'replace-remembered-password',
      'repo.remove': 'forget-repository-secrets',
    });
  });

  it('clears the vault after privacy.eraseAll and notes it in the reply and the receipt', async () => {
    const receiptFile = path.join(dir, 'receipt.json');
    const call = relay(new ErasingEngine(receiptFile));
    fs.writeFileSync(`${vaultFile}.corrupt-2026-01-01`, 'old');

    expect(await call('repo.list')).toEqual({ ok: true, result: { ok: true } });
    expect(vault.repositories()).toEqual(['repo-a', 'repo-b']);

    const reply = (await call('privacy.eraseAll', { confirm: 'erase everything', receipt: receiptFile })) as {
      ok: boolean;
      result: { keychain: { cleared: boolean; repositoryIds: string[] } };
    };
    expect(reply.ok).toBe(true);
    expect(reply.result.keychain).toEqual({ cleared: true, repositoryIds: ['repo-a', 'repo-b'] });
    expect(fs.existsSync(vaultFile)).toBe(false);
    expect(fs.readdirSync(path.dirname(vaultFile))).toEqual([]);
    expect(vault.repositories()).toEqual([]);
    const receipt = JSON.parse(fs.readFileSync(receiptFile, 'utf8'));
    expect(receipt.keychain).toMatchObject({
      cleared: true,
      repositoryIds: ['repo-a', 'repo-b'],
      at: expect.any(String),
    });
  });

  it('a failed erasure leaves the vault as it was', async () => {
    const engine: EngineLike = {
      handle: async () => {
        throw Object.assign(new Error('the receipt would be inside the data folder'), { code: 'invalid-argument' });
      },
      subscribe: () => () => {},
      close: async () => {},
    };
    const reply = await relay(engine)('privacy.eraseAll', { confirm: 'erase everything', receipt: '/x' });
    expect(reply).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    expect(vault.repositories()).toEqual(['repo-a', 'repo-b']);
  });

  it('without a vault to clear, the result crosses unchanged', async () => {
    const receiptFile = path.join(dir, 'receipt.json');
    const reply = await relay(new ErasingEngine(receiptFile), false)('privacy.eraseAll', {
      confirm: 'erase everything',
      receipt: receiptFile,
    });
    expect(reply).toEqual({
      ok: true,
      result: { version: 1, kind: 'erase-all', request: 'eraseall-1', receiptFile },
    });
    expect(JSON.parse(fs.readFileSync(receiptFile, 'utf8')).keychain).toBeUndefined();
  });

  it('clearVaultAfterEraseAll works when the vault file is already gone and there is no receipt', () => {
    fs.rmSync(vaultFile);
    expect(clearVaultAfterEraseAll(vault, {})).toEqual({ cleared: true, repositoryIds: [] });
  });
});
