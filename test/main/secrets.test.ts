import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserWindow as ElectronWindow, IpcMain, IpcMainInvokeEvent } from 'electron';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CALL_CHANNEL, VAULT_CHANNELS } from '../../src/contract/desktop.js';
import { ContractError } from '../../src/contract/errors.js';
import type { EngineEventListener, EngineLike } from '../../src/main/engine-like.js';
import { registerIpc } from '../../src/main/ipc.js';
import {
  BASIC_TEXT_REASON,
  PasswordVault,
  type SafeStorageLike,
  unlockAndRemember,
  unlockRemembered,
} from '../../src/main/secrets.js';
import { BrowserWindow, ipcMain, resetFake } from './fake-electron.js';

const APP_URL = 'file:///opt/Cairn/out/renderer/index.html';
const {
  remember: REMEMBER_PASSWORD_CHANNEL,
  forget: FORGET_PASSWORD_CHANNEL,
  status: VAULT_STATUS_CHANNEL,
} = VAULT_CHANNELS;
const PREFIX = Buffer.from('FAKE1:');

/** A reversible stand-in for the keyring: a prefix and every byte XORed, so the plaintext never shows. */
class FakeSafeStorage implements SafeStorageLike {
  encryptionAvailable = true;
  backend = 'gnome_libsecret';
  isEncryptionAvailable(): boolean {
    return this.encryptionAvailable;
  }
  encryptString(plainText: string): Buffer {
    if (!this.encryptionAvailable) throw new Error('Encryption is not available.');
    const bytes = Buffer.from(plainText, 'utf8').map((b) => b ^ 0x5a);
    return Buffer.concat([PREFIX, bytes]);
  }
  decryptString(encrypted: Buffer): string {
    if (!encrypted.subarray(0, PREFIX.length).equals(PREFIX)) throw new Error('Error while decrypting the ciphertext');
    return Buffer.from(encrypted.subarray(PREFIX.length).map((b) => b ^ 0x5a)).toString('utf8');
  }
  getSelectedStorageBackend(): string {
    return this.backend;
  }
}

/** Unlocks only with the passwords in `passwords`; other repositories fail with `failures`. */
class FakeEngine implements EngineLike {
  calls: Array<[string, unknown]> = [];
  passwords = new Map<string, string>();
  failures = new Map<string, unknown>();
  async handle(method: string, params: unknown): Promise<unknown> {
    this.calls.push([method, params]);
    if (method !== 'repo.unlock') return { echoed: method };
    const { repositoryId, password } = params as { repositoryId: string; password: string };
    const failure = this.failures.get(repositoryId);
    if (failure) throw failure;
    if (this.passwords.get(repositoryId) !== password) {
      throw new ContractError('wrong-password', 'The password is wrong.');
    }
    return { id: repositoryId, unlocked: true };
  }
  subscribe(_listener: EngineEventListener): () => void {
    return () => {};
  }
  async close(): Promise<void> {}
}

let dir: string;
let file: string;
let logs: string[];
let storage: FakeSafeStorage;

function makeVault(platform: NodeJS.Platform = 'linux'): PasswordVault {
  return new PasswordVault({ safeStorage: storage, platform, file, log: (m) => logs.push(m) });
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-vault-'));
  file = path.join(dir, 'vault.json');
  logs = [];
  storage = new FakeSafeStorage();
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('PasswordVault', () => {
  it('remembers, recalls and forgets passwords, persisting them across instances', () => {
    const vault = makeVault();
    expect(vault.repositories()).toEqual([]);
    expect(vault.recall('repo-a')).toBeUndefined();
    vault.remember('repo-b', 'correct horse');
    vault.remember('repo-a', 'pässwörd ✓');
    expect(vault.recall('repo-a')).toBe('pässwörd ✓');

    const again = makeVault();
    expect(again.repositories()).toEqual(['repo-a', 'repo-b']);
    expect(again.recall('repo-b')).toBe('correct horse');

    again.remember('repo-b', 'battery staple');
    expect(makeVault().recall('repo-b')).toBe('battery staple');

    again.forget('repo-a');
    again.forget('never-kept');
    expect(makeVault().repositories()).toEqual(['repo-b']);
    expect(makeVault().recall('repo-a')).toBeUndefined();
    expect(logs).toEqual([]);
  });

  it('writes version 1 with base64 ciphertext only, mode 0600, and leaves no temporary files', () => {
    const vault = makeVault();
    vault.remember('repo-a', 'hunter2-secret');
    const text = fs.readFileSync(file, 'utf8');
    expect(text).not.toContain('hunter2');
    expect(fs.readFileSync(file).includes(Buffer.from('hunter2'))).toBe(false);
    const data = JSON.parse(text) as { version: number; entries: Record<string, string> };
    expect(data.version).toBe(1);
    expect(Object.keys(data.entries)).toEqual(['repo-a']);
    const sealed = Buffer.from(data.entries['repo-a'] ?? '', 'base64');
    expect(storage.decryptString(sealed)).toBe('hunter2-secret');
    if (process.platform !== 'win32') expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir)).toEqual(['vault.json']);
  });

  it('refuses on Linux when the only backend is basic_text, with the reason', () => {
    storage.backend = 'basic_text';
    const vault = makeVault('linux');
    expect(vault.available()).toEqual({ ok: false, reason: BASIC_TEXT_REASON });
    expect(BASIC_TEXT_REASON).toBe(
      'no system keyring is available (the only storage is plain text), so Cairn asks for the password at start',
    );
    expect(() => vault.remember('repo-a', 'secret')).toThrow(BASIC_TEXT_REASON);
    expect(fs.existsSync(file)).toBe(false);
    expect(vault.status()).toEqual({ available: false, reason: BASIC_TEXT_REASON, remembered: [], stale: [] });
  });

  it('does not consult the Linux backend on macOS and Windows', () => {
    storage.backend = 'basic_text';
    for (const platform of ['darwin', 'win32'] as const) {
      const vault = makeVault(platform);
      expect(vault.available()).toEqual({ ok: true });
      vault.remember(`repo-${platform}`, 'secret');
      expect(vault.recall(`repo-${platform}`)).toBe('secret');
    }
    expect(makeVault('darwin').status()).toEqual({
      available: true,
      remembered: ['repo-darwin', 'repo-win32'],
      stale: [],
    });
  });

  it('refuses when encryption is unavailable, and then cannot recall either', () => {
    const vault = makeVault('darwin');
    vault.remember('repo-a', 'secret');
    storage.encryptionAvailable = false;
    const availability = vault.available();
    expect(availability.ok).toBe(false);
    expect(() => vault.remember('repo-b', 'secret')).toThrow(/cannot remember the password/);
    expect(() => vault.recall('repo-a')).toThrow(/cannot read the kept password/);
    expect(vault.repositories()).toEqual(['repo-a']);
  });

  it('rejects empty ids and passwords', () => {
    const vault = makeVault();
    expect(() => vault.remember('', 'secret')).toThrow(/repository id/);
    expect(() => vault.remember('repo-a', '')).toThrow(/empty password/);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('moves a corrupt file aside, reports why, and starts empty', () => {
    for (const [content, why] of [
      ['{ not json', /not valid JSON/],
      ['{"version":2,"entries":{}}', /version is 2/],
      ['{"version":1,"entries":{"repo-a":"hunter2 in clear!"}}', /not an encrypted password/],
      ['[1,2]', /not a JSON object/],
    ] as const) {
      fs.writeFileSync(file, content);
      logs = [];
      const vault = makeVault();
      expect(vault.repositories()).toEqual([]);
      expect(logs).toHaveLength(1);
      expect(logs[0]).toMatch(why);
      const aside = fs.readdirSync(dir).filter((name) => name.startsWith('vault.json.corrupt-'));
      expect(aside).toHaveLength(1);
      expect(fs.readFileSync(path.join(dir, aside[0] ?? ''), 'utf8')).toBe(content);
      expect(fs.existsSync(file)).toBe(false);
      vault.remember('repo-a', 'fresh');
      expect(makeVault().recall('repo-a')).toBe('fresh');
      for (const name of aside) fs.rmSync(path.join(dir, name));
    }
  });

  it('reports an entry the keyring cannot decrypt', () => {
    fs.writeFileSync(
      file,
      JSON.stringify({ version: 1, entries: { 'repo-a': Buffer.from('junk').toString('base64') } }),
    );
    expect(() => makeVault().recall('repo-a')).toThrow(/could not decrypt/);
  });
});

describe('unlockRemembered', () => {
  it('unlocks every remembered repository, keeps wrong passwords marked stale and keeps entries that failed otherwise', async () => {
    const vault = makeVault();
    vault.remember('good', 'pw-good');
    vault.remember('changed', 'old-pw');
    vault.remember('offline', 'pw-offline');
    const engine = new FakeEngine();
    engine.passwords.set('good', 'pw-good').set('changed', 'new-pw').set('offline', 'pw-offline');
    engine.failures.set('offline', new ContractError('io', 'the disk is not connected'));

    const outcomes = await unlockRemembered(vault, engine, (m) => logs.push(m));

    expect(outcomes).toEqual([
      { repositoryId: 'changed', status: 'stale', message: expect.stringMatching(/no longer opens it/) },
      { repositoryId: 'good', status: 'unlocked' },
      { repositoryId: 'offline', status: 'failed', message: expect.stringMatching(/the disk is not connected/) },
    ]);
    expect(engine.calls).toEqual([
      ['repo.unlock', { repositoryId: 'changed', password: 'old-pw' }],
      ['repo.unlock', { repositoryId: 'good', password: 'pw-good' }],
      ['repo.unlock', { repositoryId: 'offline', password: 'pw-offline' }],
    ]);
    expect(vault.repositories()).toEqual(['changed', 'good', 'offline']);
    expect(vault.status().stale).toEqual(['changed']);
    expect(logs).toHaveLength(2);
  });

  it('reports and keeps everything when the keyring is unavailable at start', async () => {
    const vault = makeVault();
    vault.remember('repo-a', 'secret');
    storage.backend = 'basic_text';
    const engine = new FakeEngine();
    const outcomes = await unlockRemembered(vault, engine, (m) => logs.push(m));
    expect(outcomes).toEqual([
      { repositoryId: 'repo-a', status: 'failed', message: expect.stringContaining('plain text') },
    ]);
    expect(engine.calls).toEqual([]);
    expect(vault.repositories()).toEqual(['repo-a']);
  });

  it('does nothing with an empty vault', async () => {
    const engine = new FakeEngine();
    expect(await unlockRemembered(makeVault(), engine, (m) => logs.push(m))).toEqual([]);
    expect(engine.calls).toEqual([]);
  });
});

describe('unlockAndRemember', () => {
  it('keeps the password only after the engine unlocked with it', async () => {
    const vault = makeVault();
    const engine = new FakeEngine();
    engine.passwords.set('repo-a', 'right');
    await expect(unlockAndRemember(vault, engine, 'repo-a', 'wrong')).rejects.toMatchObject({ code: 'wrong-password' });
    expect(vault.repositories()).toEqual([]);
    await expect(unlockAndRemember(vault, engine, 'repo-a', 'right')).resolves.toEqual({
      id: 'repo-a',
      unlocked: true,
    });
    expect(vault.recall('repo-a')).toBe('right');
  });

  it('does not even unlock when the vault cannot keep passwords', async () => {
    storage.backend = 'basic_text';
    const engine = new FakeEngine();
    engine.passwords.set('repo-a', 'right');
    await expect(unlockAndRemember(makeVault(), engine, 'repo-a', 'right')).rejects.toThrow(BASIC_TEXT_REASON);
    expect(engine.calls).toEqual([]);
  });
});

describe('vault IPC channels', () => {
  function setup(withVault = true) {
    resetFake();
    const engine = new FakeEngine();
    engine.passwords.set('repo-a', 'right');
    const vault = makeVault();
    const win = new BrowserWindow({});
    const dispose = registerIpc({
      ipcMain: ipcMain as unknown as IpcMain,
      engine,
      appUrl: APP_URL,
      windows: () => [win] as unknown as ElectronWindow[],
      ...(withVault ? { vault } : {}),
    });
    const invoke = (
      channel: string,
      frame: { url: string; parent: unknown } | null,
      sender: unknown,
      ...args: unknown[]
    ) => {
      const handler = ipcMain.handlers.get(channel);
      if (!handler) throw new Error(`no handler for ${channel}`);
      return handler({ senderFrame: frame, sender } as unknown as IpcMainInvokeEvent, ...args);
    };
    const appFrame = { url: `${APP_URL}#/settings`, parent: null };
    return { engine, vault, win, dispose, invoke, appFrame };
  }

  it('answers every vault channel of the desktop contract (the ones the preload calls)', () => {
    setup();
    for (const channel of Object.values(VAULT_CHANNELS)) expect(ipcMain.handlers.has(channel)).toBe(true);
  });

  it('remember stores the password only after a successful unlock', async () => {
    const { engine, vault, win, invoke, appFrame } = setup();
    const wrong = await invoke(REMEMBER_PASSWORD_CHANNEL, appFrame, win.webContents, 'repo-a', 'wrong');
    expect(wrong).toEqual({ ok: false, error: { code: 'wrong-password', message: 'The password is wrong.' } });
    expect(vault.repositories()).toEqual([]);

    const right = await invoke(REMEMBER_PASSWORD_CHANNEL, appFrame, win.webContents, 'repo-a', 'right');
    expect(right).toEqual({ ok: true, result: { id: 'repo-a', unlocked: true } });
    expect(vault.recall('repo-a')).toBe('right');
    expect(engine.calls).toEqual([
      ['repo.unlock', { repositoryId: 'repo-a', password: 'wrong' }],
      ['repo.unlock', { repositoryId: 'repo-a', password: 'right' }],
    ]);

    expect(await invoke(VAULT_STATUS_CHANNEL, appFrame, win.webContents)).toEqual({
      ok: true,
      result: { available: true, remembered: ['repo-a'], stale: [] },
    });
    expect(await invoke(FORGET_PASSWORD_CHANNEL, appFrame, win.webContents, 'repo-a')).toEqual({
      ok: true,
      result: { ok: true },
    });
    expect(vault.repositories()).toEqual([]);
  });

  it('remember is refused with the reason where only basic_text exists, without unlocking', async () => {
    const { engine, vault, win, invoke, appFrame } = setup();
    storage.backend = 'basic_text';
    const reply = await invoke(REMEMBER_PASSWORD_CHANNEL, appFrame, win.webContents, 'repo-a', 'right');
    expect(reply).toMatchObject({ ok: false, error: { message: expect.stringContaining(BASIC_TEXT_REASON) } });
    expect(engine.calls).toEqual([]);
    expect(vault.repositories()).toEqual([]);
    expect(await invoke(VAULT_STATUS_CHANNEL, appFrame, win.webContents)).toEqual({
      ok: true,
      result: { available: false, reason: BASIC_TEXT_REASON, remembered: [], stale: [] },
    });
  });

  it('rejects malformed arguments', async () => {
    const { engine, win, invoke, appFrame } = setup();
    for (const args of [[], ['repo-a'], ['', 'pw'], [42, 'pw'], ['repo-a', '']]) {
      expect(await invoke(REMEMBER_PASSWORD_CHANNEL, appFrame, win.webContents, ...args)).toMatchObject({
        ok: false,
        error: { code: 'invalid-request' },
      });
    }
    expect(await invoke(FORGET_PASSWORD_CHANNEL, appFrame, win.webContents, {})).toMatchObject({
      ok: false,
      error: { code: 'invalid-request' },
    });
    expect(engine.calls).toEqual([]);
  });

  it('applies the contract relay’s sender checks to every vault channel', async () => {
    const { engine, vault, win, invoke, appFrame } = setup();
    vault.remember('repo-b', 'kept');
    const stranger = new BrowserWindow({}).webContents;
    const senders: Array<[{ url: string; parent: unknown } | null, unknown]> = [
      [{ url: 'https://evil.example/', parent: null }, win.webContents],
      [{ url: APP_URL, parent: {} }, win.webContents],
      [null, win.webContents],
      [appFrame, stranger],
    ];
    for (const [frame, sender] of senders) {
      for (const [channel, args] of [
        [REMEMBER_PASSWORD_CHANNEL, ['repo-a', 'right']],
        [FORGET_PASSWORD_CHANNEL, ['repo-b']],
        [VAULT_STATUS_CHANNEL, []],
      ] as const) {
        expect(await invoke(channel, frame, sender, ...args)).toMatchObject({
          ok: false,
          error: { code: 'invalid-request', message: expect.stringMatching(/^Request refused/) },
        });
      }
    }
    expect(engine.calls).toEqual([]);
    expect(vault.repositories()).toEqual(['repo-b']);
  });

  it('removes the vault channels on dispose, and registers none without a vault', () => {
    const { dispose } = setup();
    expect(ipcMain.handlers.has(REMEMBER_PASSWORD_CHANNEL)).toBe(true);
    dispose();
    for (const channel of [CALL_CHANNEL, REMEMBER_PASSWORD_CHANNEL, FORGET_PASSWORD_CHANNEL, VAULT_STATUS_CHANNEL]) {
      expect(ipcMain.handlers.has(channel)).toBe(false);
    }
    setup(false);
    expect([...ipcMain.handlers.keys()]).toEqual([CALL_CHANNEL]);
  });
});
