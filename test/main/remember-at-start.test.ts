/**
 * Unattended unlock over the fake electron: a password remembered through the desktop shell's vault
 * channel (as the preload's rememberPassword sends it) unlocks its repository at the next start
 * without typing, after the storage credentials of a remote repository were handed over; refused
 * where only basic_text exists; forgotten; and a remembered password that no longer opens the
 * repository is kept, marked stale in the vault status, and replaced by remembering the new one.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fake-electron.js'));

import type { IpcMainInvokeEvent } from 'electron';
import { type DesktopReply, VAULT_CHANNELS, type VaultStatus } from '../../src/contract/desktop.js';
import { ContractError } from '../../src/contract/errors.js';
import { type DesktopShell, startDesktop, unlockAtStart } from '../../src/main/app-lifecycle.js';
import type { EngineEventListener, EngineLike } from '../../src/main/engine-like.js';
import { BASIC_TEXT_REASON, PasswordVault, type SafeStorageLike } from '../../src/main/secrets.js';
import { STORAGE_CREDENTIALS_FILE, StorageCredentialVault } from '../../src/main/storage-credentials.js';
import { BrowserWindow, ipcMain, resetFake } from './fake-electron.js';

const APP_URL = 'file:///opt/Cairn/out/renderer/index.html';
const PREFIX = Buffer.from('FAKE1:');

class FakeSafeStorage implements SafeStorageLike {
  backend = 'gnome_libsecret';
  isEncryptionAvailable(): boolean {
    return true;
  }
  encryptString(plainText: string): Buffer {
    return Buffer.concat([PREFIX, Buffer.from(plainText, 'utf8').map((b) => b ^ 0x5a)]);
  }
  decryptString(encrypted: Buffer): string {
    if (!encrypted.subarray(0, PREFIX.length).equals(PREFIX)) throw new Error('Error while decrypting the ciphertext');
    return Buffer.from(encrypted.subarray(PREFIX.length).map((b) => b ^ 0x5a)).toString('utf8');
  }
  getSelectedStorageBackend(): string {
    return this.backend;
  }
}

/** The repositories on disk: their passwords outlive any engine; `remote` needs its storage credentials. */
const world = { passwords: new Map<string, string>() };

/** One engine process: everything starts locked; a remote repository cannot be reached without credentials. */
class FakeEngine implements EngineLike {
  calls: Array<[string, unknown]> = [];
  unlocked = new Set<string>();
  credentials = new Map<string, unknown>();
  async handle(method: string, params: unknown): Promise<unknown> {
    this.calls.push([method, params]);
    const p = params as { repositoryId: string; password?: string; credentials?: unknown };
    if (method === 'repo.setStorageSettings') {
      this.credentials.set(p.repositoryId, p.credentials);
      return { id: p.repositoryId };
    }
    if (method === 'repo.unlock') {
      if (p.repositoryId === 'remote' && !this.credentials.has('remote')) {
        throw new ContractError('io', 'the SFTP server refused the login');
      }
      if (world.passwords.get(p.repositoryId) !== p.password) {
        throw new ContractError('wrong-password', 'The password is wrong.');
      }
      this.unlocked.add(p.repositoryId);
      return { id: p.repositoryId, unlocked: true };
    }
    if (method === 'app.status') return { lastSuccessfulBackupAt: null, repositories: [] };
    if (method === 'repo.list')
      return [...world.passwords.keys()].map((id) => ({ id, unlocked: this.unlocked.has(id) }));
    return {};
  }
  subscribe(_listener: EngineEventListener): () => void {
    return () => {};
  }
  async close(): Promise<void> {}
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

let dir: string;
let storage: FakeSafeStorage;
let logs: string[];
let shell: DesktopShell | null;

const vaultFile = () => path.join(dir, 'vault.json');
const makeVault = () =>
  new PasswordVault({ safeStorage: storage, platform: 'linux', file: vaultFile(), log: (m) => logs.push(m) });
const makeStorageVault = () =>
  new StorageCredentialVault({
    safeStorage: storage,
    platform: 'linux',
    file: path.join(dir, STORAGE_CREDENTIALS_FILE),
    log: (m) => logs.push(m),
  });

/** Starts the desktop shell (as index.ts does after unlocking at start) and returns its vault channels. */
async function startShell(engine: FakeEngine, vault: PasswordVault) {
  resetFake();
  shell = startDesktop({
    engine,
    vault,
    storageVault: makeStorageVault(),
    appUrl: APP_URL,
    preloadPath: '/opt/Cairn/out/preload/index.cjs',
    iconDir: '/opt/Cairn/icons',
    dev: false,
    startHidden: true,
    platform: 'linux',
    homeDir: dir,
  });
  await flush();
  const win = BrowserWindow.instances[0] as unknown as { webContents: unknown };
  const call = async (channel: string, ...args: unknown[]): Promise<DesktopReply> => {
    const handler = ipcMain.handlers.get(channel);
    if (!handler) throw new Error(`no handler for ${channel}`);
    const event = { senderFrame: { url: APP_URL, parent: null }, sender: win.webContents };
    return (await handler(event as unknown as IpcMainInvokeEvent, ...args)) as DesktopReply;
  };
  return {
    remember: (id: string, password: string) => call(VAULT_CHANNELS.remember, id, password),
    forget: (id: string) => call(VAULT_CHANNELS.forget, id),
    status: async () => {
      const reply = await call(VAULT_CHANNELS.status);
      if (!reply.ok) throw new Error(reply.error.message);
      return reply.result as VaultStatus;
    },
  };
}

/** A restart: a new engine (everything locked) and a new vault read from the same files. */
async function restart() {
  const engine = new FakeEngine();
  const vault = makeVault();
  const outcomes = await unlockAtStart(engine, vault, makeStorageVault(), (m) => logs.push(m));
  return { engine, vault, outcomes };
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-remember-'));
  storage = new FakeSafeStorage();
  logs = [];
  shell = null;
  world.passwords = new Map([
    ['local', 'pw-local'],
    ['remote', 'pw-remote'],
  ]);
});

afterEach(async () => {
  shell?.quit();
  await flush();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('remembered passwords across a restart', () => {
  it('remember → restart → unlocked without typing, remote storage credentials handed over first', async () => {
    const first = new FakeEngine();
    first.credentials.set('remote', { sftpPassword: 'sftp-secret' });
    const channels = await startShell(first, makeVault());
    expect(await channels.remember('local', 'pw-local')).toMatchObject({ ok: true });
    expect(await channels.remember('remote', 'pw-remote')).toMatchObject({ ok: true });
    expect(await channels.status()).toEqual({ available: true, remembered: ['local', 'remote'], stale: [] });
    makeStorageVault().keep('remote', { sftpPassword: 'sftp-secret' });
    // The file holds no password in plain text.
    expect(fs.readFileSync(vaultFile(), 'utf8')).not.toMatch(/pw-local|pw-remote/);

    const { engine, outcomes } = await restart();
    expect(outcomes).toEqual([
      { repositoryId: 'local', status: 'unlocked' },
      { repositoryId: 'remote', status: 'unlocked' },
    ]);
    expect([...engine.unlocked].sort()).toEqual(['local', 'remote']);
    const methods = engine.calls.map(([method]) => method);
    expect(methods.indexOf('repo.setStorageSettings')).toBeLessThan(methods.indexOf('repo.unlock'));
  });

  it('a wrong password typed with "remember" keeps nothing', async () => {
    const channels = await startShell(new FakeEngine(), makeVault());
    const reply = await channels.remember('local', 'typo');
    expect(reply).toEqual({ ok: false, error: { code: 'wrong-password', message: 'The password is wrong.' } });
    expect((await channels.status()).remembered).toEqual([]);
    const { engine } = await restart();
    expect(engine.unlocked.size).toBe(0);
  });

  it('is refused on basic_text with the reason, and nothing unlocks at the next start', async () => {
    storage.backend = 'basic_text';
    const engine = new FakeEngine();
    const channels = await startShell(engine, makeVault());
    expect(await channels.status()).toEqual({
      available: false,
      reason: BASIC_TEXT_REASON,
      remembered: [],
      stale: [],
    });
    const reply = await channels.remember('local', 'pw-local');
    expect(reply.ok).toBe(false);
    if (!reply.ok) expect(reply.error.message).toContain(BASIC_TEXT_REASON);
    expect(engine.calls.filter(([m]) => m === 'repo.unlock')).toEqual([]);
    expect(fs.existsSync(vaultFile())).toBe(false);
    const next = await restart();
    expect(next.engine.unlocked.size).toBe(0);
  });

  it('forget: the next start leaves the repository locked', async () => {
    const channels = await startShell(new FakeEngine(), makeVault());
    await channels.remember('local', 'pw-local');
    expect(await channels.forget('local')).toEqual({ ok: true, result: { ok: true } });
    expect((await channels.status()).remembered).toEqual([]);
    const { engine, outcomes } = await restart();
    expect(outcomes).toEqual([]);
    expect(engine.unlocked.size).toBe(0);
  });

  it('a stale password is kept and marked, then replaced by remembering the new one', async () => {
    const channels = await startShell(new FakeEngine(), makeVault());
    await channels.remember('local', 'pw-local');
    shell?.quit();
    await flush();
    world.passwords.set('local', 'changed-elsewhere');

    const { engine, vault, outcomes } = await restart();
    expect(outcomes).toEqual([
      { repositoryId: 'local', status: 'stale', message: expect.stringMatching(/no longer opens it/) },
    ]);
    expect(engine.unlocked.size).toBe(0);
    expect(logs.some((m) => m.includes('no longer opens it'))).toBe(true);

    const after = await startShell(engine, vault);
    expect(await after.status()).toEqual({ available: true, remembered: ['local'], stale: ['local'] });
    expect(await after.remember('local', 'changed-elsewhere')).toMatchObject({ ok: true });
    expect(await after.status()).toEqual({ available: true, remembered: ['local'], stale: [] });

    const again = await restart();
    expect(again.outcomes).toEqual([{ repositoryId: 'local', status: 'unlocked' }]);
  });

  it('forgetting a stale password drops it and its mark', async () => {
    const vault = makeVault();
    vault.remember('local', 'old');
    const { engine, vault: started } = await restart();
    expect(started.status().stale).toEqual(['local']);
    const channels = await startShell(engine, started);
    await channels.forget('local');
    expect(await channels.status()).toEqual({ available: true, remembered: [], stale: [] });
  });
});
