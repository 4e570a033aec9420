/**
 * The desktop keeps remote repositories' credentials (SFTP password or key passphrase, S3 keys)
 * in a keychain vault of their own, never in plain text: the vault itself (sealed with the fake
 * safeStorage, the same refusal where only plain text exists), the `keep-storage-credentials`
 * follow-up the IPC relay runs after 'repo.create', 'repo.connect' and 'repo.setStorageSettings'
 * succeeded, the hand-over to the engine at start, and erasing everything. Over the fake
 * `electron` module and a fake engine.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserWindow as ElectronWindow, IpcMain, IpcMainInvokeEvent } from 'electron';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CALL_CHANNEL } from '../../src/contract/desktop.js';
import { ContractError } from '../../src/contract/errors.js';
import type { EngineEventListener, EngineLike } from '../../src/main/engine-like.js';
import { registerIpc } from '../../src/main/ipc.js';
import { PasswordVault, type SafeStorageLike } from '../../src/main/secrets.js';
import {
  handOverCredentials,
  STORAGE_CREDENTIALS_FILE,
  StorageCredentialVault,
} from '../../src/main/storage-credentials.js';
import { BrowserWindow, ipcMain, resetFake } from './fake-electron.js';

const APP_URL = 'file:///opt/Cairn/out/renderer/index.html';
const SECRET = 'sftp-pw-Jq4!';
const PREFIX = Buffer.from('SEALED:');

/** A reversible stand-in for the keyring whose output never shows the plaintext. */
class FakeSafeStorage implements SafeStorageLike {
  backend = 'gnome_libsecret';
  isEncryptionAvailable(): boolean {
    return true;
  }
  encryptString(plainText: string): Buffer {
    return Buffer.concat([PREFIX, Buffer.from(plainText, 'utf8').map((b) => b ^ 0x5a)]);
  }
  decryptString(encrypted: Buffer): string {
    if (!encrypted.subarray(0, PREFIX.length).equals(PREFIX)) throw new Error('cannot decrypt');
    return Buffer.from(encrypted.subarray(PREFIX.length).map((b) => b ^ 0x5a)).toString('utf8');
  }
  getSelectedStorageBackend(): string {
    return this.backend;
  }
}

/** Answers like the engine: create/connect return the repository, setStorageSettings its storage. */
class FakeEngine implements EngineLike {
  calls: Array<[string, unknown]> = [];
  known = new Set(['repo-a', 'repo-b']);
  failing = false;
  async handle(method: string, params: unknown): Promise<unknown> {
    this.calls.push([method, params]);
    if (this.failing) throw new ContractError('io', 'the server could not be reached');
    const p = params as { repositoryId?: string };
    if (method === 'repo.create' || method === 'repo.connect') return { id: 'repo-new', label: 'NAS' };
    if (method === 'repo.setStorageSettings') {
      if (!this.known.has(p.repositoryId ?? '')) throw new ContractError('not-found', 'no such repository');
      return { repositoryId: p.repositoryId, kind: 'sftp' };
    }
    return { ok: true };
  }
  subscribe(_listener: EngineEventListener): () => void {
    return () => {};
  }
  async close(): Promise<void> {}
}

let dir: string;
let safeStorage: FakeSafeStorage;
let file: string;

function vault(): StorageCredentialVault {
  return new StorageCredentialVault({ safeStorage, platform: 'linux', file, log: () => {} });
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-storage-vault-'));
  file = path.join(dir, STORAGE_CREDENTIALS_FILE);
  safeStorage = new FakeSafeStorage();
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The relay's `cairn:call` handler, as Cairn's own window calls it. */
function relay(engine: EngineLike, means: { storageVault?: StorageCredentialVault; vault?: PasswordVault }) {
  resetFake();
  const win = new BrowserWindow({});
  registerIpc({
    ipcMain: ipcMain as unknown as IpcMain,
    engine,
    appUrl: APP_URL,
    windows: () => [win] as unknown as ElectronWindow[],
    ...means,
  });
  const handler = ipcMain.handlers.get(CALL_CHANNEL);
  if (!handler) throw new Error('no call handler');
  const frame = { url: APP_URL, parent: null };
  return (method: string, params: unknown = {}) =>
    handler(
      { senderFrame: frame, sender: win.webContents } as unknown as IpcMainInvokeEvent,
      method,
      params,
    ) as Promise<{
      ok: boolean;
      result?: Record<string, unknown>;
    }>;
}

describe('StorageCredentialVault', () => {
  it('keeps, recalls and forgets credentials, sealed: the file never holds them in plain text', () => {
    const v = vault();
    v.keep('repo-a', { sftpPassword: SECRET });
    v.keep('repo-b', { s3AccessKeyId: 'AKID', s3SecretAccessKey: 'sk/secret' });
    expect(vault().recall('repo-a')).toEqual({ sftpPassword: SECRET });
    expect(vault().recall('repo-b')).toEqual({ s3AccessKeyId: 'AKID', s3SecretAccessKey: 'sk/secret' });
    expect(vault().repositories()).toEqual(['repo-a', 'repo-b']);
    const bytes = fs.readFileSync(file);
    expect(bytes.includes(Buffer.from(SECRET))).toBe(false);
    expect(bytes.includes(Buffer.from('sk/secret'))).toBe(false);
    if (process.platform !== 'win32') expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    v.keep('repo-a', {});
    expect(vault().recall('repo-a')).toBeUndefined();
    expect(vault().repositories()).toEqual(['repo-b']);
  });

  it('refuses where the only storage is plain text, saying they last this session', () => {
    safeStorage.backend = 'basic_text';
    const v = vault();
    expect(v.available()).toEqual({
      ok: false,
      reason: 'no system keyring is available (the only storage is plain text), so they are kept for this session only',
    });
    expect(() => v.keep('repo-a', { sftpPassword: SECRET })).toThrow(/cannot remember the storage credentials/);
    expect(fs.existsSync(file)).toBe(false);
  });
});

describe('the keep-storage-credentials follow-up', () => {
  it('keeps the credentials a created or connected repository was given, under its id', async () => {
    const engine = new FakeEngine();
    const storageVault = vault();
    const call = relay(engine, { storageVault });
    const reply = await call('repo.create', {
      location: 'sftp://alice@nas/srv/cairn',
      password: 'repo password',
      label: 'NAS',
      region: 'EU',
      credentials: { sftpPassword: SECRET },
    });
    expect(reply).toEqual({ ok: true, result: { id: 'repo-new', label: 'NAS', credentialsKept: { kept: true } } });
    expect(storageVault.recall('repo-new')).toEqual({ sftpPassword: SECRET });
    // The engine got them too (it holds them for the session).
    expect(engine.calls[0]?.[1]).toMatchObject({ credentials: { sftpPassword: SECRET } });
    // The repository password is not a storage credential: it is not kept here.
    expect(fs.readFileSync(file, 'utf8')).not.toContain('repo password');
  });

  it('replaces them on repo.setStorageSettings, forgets them on {}, and leaves them when none are given', async () => {
    const storageVault = vault();
    storageVault.keep('repo-a', { sftpPassword: 'old' });
    const call = relay(new FakeEngine(), { storageVault });
    await call('repo.setStorageSettings', { repositoryId: 'repo-a', storage: { transfer: { uploadKiBps: 10 } } });
    expect(storageVault.recall('repo-a')).toEqual({ sftpPassword: 'old' });
    const replaced = await call('repo.setStorageSettings', {
      repositoryId: 'repo-a',
      credentials: { sftpPassword: 'new' },
    });
    expect(replaced.result?.credentialsKept).toEqual({ kept: true });
    expect(storageVault.recall('repo-a')).toEqual({ sftpPassword: 'new' });
    const dropped = await call('repo.setStorageSettings', { repositoryId: 'repo-a', credentials: {} });
    expect(dropped.result).toEqual({ repositoryId: 'repo-a', kind: 'sftp' });
    expect(storageVault.recall('repo-a')).toBeUndefined();
  });

  it('says why when they cannot be kept, and keeps nothing when the method failed', async () => {
    safeStorage.backend = 'basic_text';
    const engine = new FakeEngine();
    const storageVault = vault();
    const call = relay(engine, { storageVault });
    const reply = await call('repo.connect', { credentials: { sftpPassword: SECRET } });
    expect(reply.result?.credentialsKept).toEqual({
      kept: false,
      reason: expect.stringMatching(/plain text\), so they are kept for this session only/),
    });
    safeStorage.backend = 'gnome_libsecret';
    engine.failing = true;
    expect((await call('repo.create', { credentials: { sftpPassword: SECRET } })).ok).toBe(false);
    expect(storageVault.repositories()).toEqual([]);
  });

  it('runs for no other method, and not at all without a vault', async () => {
    const storageVault = vault();
    const engine = new FakeEngine();
    await relay(engine, { storageVault })('repo.testLocation', {
      location: 'sftp://a@b/c',
      credentials: { sftpPassword: SECRET },
    });
    expect(storageVault.repositories()).toEqual([]);
    const reply = await relay(engine, {})('repo.create', { credentials: { sftpPassword: SECRET } });
    expect(reply).toEqual({ ok: true, result: { id: 'repo-new', label: 'NAS' } });
  });

  it('erasing everything deletes the storage credentials with the passwords', async () => {
    const storageVault = vault();
    storageVault.keep('repo-b', { sftpPassword: SECRET });
    const passwords = new PasswordVault({ safeStorage, platform: 'linux', file: path.join(dir, 'vault.json') });
    passwords.remember('repo-a', 'pw');
    const engine: EngineLike = {
      handle: async () => ({ receiptFile: null }),
      subscribe: () => () => {},
      close: async () => {},
    };
    const reply = await relay(engine, { vault: passwords, storageVault })('privacy.eraseAll', {});
    expect(reply.result?.keychain).toEqual({ cleared: true, repositoryIds: ['repo-a', 'repo-b'] });
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe('handOverCredentials', () => {
  it('gives the engine every kept credential before anything is unlocked, and forgets those of removed repositories', async () => {
    const storageVault = vault();
    storageVault.keep('repo-a', { sftpPassword: SECRET });
    storageVault.keep('gone', { s3AccessKeyId: 'AK', s3SecretAccessKey: 'SK' });
    const engine = new FakeEngine();
    const logs: string[] = [];
    const outcomes = await handOverCredentials(storageVault, engine, (m) => logs.push(m));
    expect(engine.calls).toEqual([
      [
        'repo.setStorageSettings',
        { repositoryId: 'gone', credentials: { s3AccessKeyId: 'AK', s3SecretAccessKey: 'SK' } },
      ],
      ['repo.setStorageSettings', { repositoryId: 'repo-a', credentials: { sftpPassword: SECRET } }],
    ]);
    expect(outcomes).toEqual([
      { repositoryId: 'gone', status: 'forgotten' },
      { repositoryId: 'repo-a', status: 'handed-over' },
    ]);
    expect(storageVault.repositories()).toEqual(['repo-a']);
    expect(logs).toEqual([]);
  });

  it('reports other failures and keeps the credentials for next time', async () => {
    const storageVault = vault();
    storageVault.keep('repo-a', { sftpPassword: SECRET });
    const engine = new FakeEngine();
    engine.failing = true;
    const logs: string[] = [];
    const outcomes = await handOverCredentials(storageVault, engine, (m) => logs.push(m));
    expect(outcomes).toEqual([
      { repositoryId: 'repo-a', status: 'failed', message: expect.stringMatching(/could not use the kept storage/) },
    ]);
    expect(logs.join('\n')).not.toContain(SECRET);
    expect(storageVault.repositories()).toEqual(['repo-a']);
  });
});
