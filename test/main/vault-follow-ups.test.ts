/**
 * What the desktop does in the keychain vault after the password changes or a repository goes,
 * through the IPC relay (as `window.cairn` sends the calls) to a real EngineHost with real
 * repositories in temp folders: 'keys.changePassword' replaces the remembered password, which then
 * unlocks the repository after a restart, or, when replacing fails, marks the old one stale and
 * says why; 'repo.remove' forgets the repository's remembered password and kept storage
 * credentials; a password left behind for a repository no longer in the app is forgotten at start.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BrowserWindow as ElectronWindow, IpcMain, IpcMainInvokeEvent } from 'electron';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fake-electron.js'));

import { CALL_CHANNEL, type DesktopReply, VAULT_CHANNELS } from '../../src/contract/desktop.js';
import { registerIpc } from '../../src/main/ipc.js';
import { PasswordVault, type SafeStorageLike, unlockRemembered } from '../../src/main/secrets.js';
import { STORAGE_CREDENTIALS_FILE, StorageCredentialVault } from '../../src/main/storage-credentials.js';
import { createRepository, TestHost } from '../support/host.js';
import { APP_URL } from './desktop-fixture.js';
import { BrowserWindow, ipcMain, resetFake } from './fake-electron.js';

/** A keyring stand-in that can be made to refuse, as a locked or reset keyring does. */
class SwitchableSafeStorage implements SafeStorageLike {
  refuse = false;
  isEncryptionAvailable(): boolean {
    return true;
  }
  encryptString(plainText: string): Buffer {
    if (this.refuse) throw new Error('the keyring is locked');
    return Buffer.from(Buffer.from(plainText, 'utf8').map((b) => b ^ 0x2c));
  }
  decryptString(encrypted: Buffer): string {
    return Buffer.from(encrypted.map((b) => b ^ 0x2c)).toString('utf8');
  }
  getSelectedStorageBackend(): string {
    return 'gnome_libsecret';
  }
}

const OLD = 'the old passphrase 1';
const NEW = 'a brand new passphrase 2';

let fixture: TestHost;
let keyring: SwitchableSafeStorage;
let vault: PasswordVault;
let storageVault: StorageCredentialVault;
let logs: string[];

beforeEach(async () => {
  fixture = await TestHost.open('vault-follow-ups');
  keyring = new SwitchableSafeStorage();
  logs = [];
  const log = (message: string) => logs.push(message);
  vault = new PasswordVault({ safeStorage: keyring, platform: 'linux', file: vaultFile(), log });
  storageVault = new StorageCredentialVault({
    safeStorage: keyring,
    platform: 'linux',
    file: path.join(fixture.tmp, 'keychain', STORAGE_CREDENTIALS_FILE),
    log,
  });
});
afterEach(() => fixture?.close());

const vaultFile = () => path.join(fixture.tmp, 'keychain', 'vault.json');

/** The relay over the open host, as the desktop registers it; calls as `window.cairn` sends them. */
function bridge() {
  resetFake();
  const win = new BrowserWindow({});
  registerIpc({
    ipcMain: ipcMain as unknown as IpcMain,
    engine: fixture.host,
    appUrl: APP_URL,
    windows: () => [win] as unknown as ElectronWindow[],
    vault,
    storageVault,
  });
  const send = async (channel: string, ...args: unknown[]): Promise<DesktopReply> => {
    const handler = ipcMain.handlers.get(channel);
    if (!handler) throw new Error(`no handler for ${channel}`);
    const event = { senderFrame: { url: APP_URL, parent: null }, sender: win.webContents };
    return (await handler(event as unknown as IpcMainInvokeEvent, ...args)) as DesktopReply;
  };
  return {
    call: (method: string, params: unknown) => send(CALL_CHANNEL, method, params),
    remember: (repositoryId: string, password: string) => send(VAULT_CHANNELS.remember, repositoryId, password),
  };
}

/** A repository made through the contract with the password OLD, remembered through the bridge. */
async function rememberedRepository(name: string, window = bridge()): Promise<string> {
  const repo = await createRepository(fixture.host, { location: path.join(fixture.tmp, name), password: OLD });
  expect(await window.remember(repo.id, OLD)).toMatchObject({ ok: true });
  return repo.id;
}

describe('changing the password in the app', () => {
  it('replaces the remembered password, which unlocks the repository after a restart', async () => {
    const window = bridge();
    const id = await rememberedRepository('repo', window);

    const reply = await window.call('keys.changePassword', { repositoryId: id, newPassword: NEW });
    expect(reply).toMatchObject({ ok: true, result: { current: true, rememberedPassword: { replaced: true } } });
    expect(vault.recall(id)).toBe(NEW);
    expect(vault.status().stale).toEqual([]);

    // A restart: everything comes back locked, and the remembered password opens it unattended.
    await fixture.reopen();
    expect(
      await unlockRemembered(
        new PasswordVault({ safeStorage: keyring, platform: 'linux', file: vaultFile() }),
        fixture.host,
      ),
    ).toEqual([{ repositoryId: id, status: 'unlocked' }]);
  });

  it('leaves a repository whose password is not remembered alone, and says nothing of it', async () => {
    const window = bridge();
    const remembered = await rememberedRepository('kept', window);
    const other = await createRepository(fixture.host, { location: path.join(fixture.tmp, 'other'), password: OLD });

    const reply = await window.call('keys.changePassword', { repositoryId: other.id, newPassword: NEW });
    expect(reply.ok).toBe(true);
    expect(reply.ok && Object.hasOwn(reply.result as object, 'rememberedPassword')).toBe(false);
    expect(vault.repositories()).toEqual([remembered]);
    expect(vault.recall(remembered)).toBe(OLD);
  });

  it('when the keyring refuses the new one, the old one is marked stale and the reply says why', async () => {
    const window = bridge();
    const id = await rememberedRepository('repo', window);
    keyring.refuse = true;

    const reply = await window.call('keys.changePassword', { repositoryId: id, newPassword: NEW });
    expect(reply).toMatchObject({
      ok: true,
      result: { rememberedPassword: { replaced: false, reason: expect.stringMatching(/keyring is locked/) } },
    });
    expect(vault.status()).toMatchObject({ remembered: [id], stale: [id] });
    // The change itself held: the new password opens the repository, the old one no longer does.
    await fixture.reopen();
    await expect(fixture.host.call('repo.unlock', { repositoryId: id, password: OLD })).rejects.toMatchObject({
      code: 'wrong-password',
    });
    await fixture.host.call('repo.unlock', { repositoryId: id, password: NEW });
  });

  it('a change that fails leaves the remembered password as it was', async () => {
    const window = bridge();
    const id = await rememberedRepository('repo', window);
    await fixture.host.call('repo.lock', { repositoryId: id });

    const reply = await window.call('keys.changePassword', { repositoryId: id, newPassword: NEW });
    expect(reply).toMatchObject({ ok: false, error: { code: 'locked' } });
    expect(vault.recall(id)).toBe(OLD);
    expect(vault.status().stale).toEqual([]);
  });
});

describe('removing a repository from the app', () => {
  it('forgets its remembered password and its kept storage credentials, and no other repository’s', async () => {
    const window = bridge();
    const gone = await rememberedRepository('gone', window);
    const stays = await rememberedRepository('stays', window);
    storageVault.keep(gone, { sftpPassword: 'server secret' });
    storageVault.keep(stays, { sftpPassword: 'other secret' });

    const reply = await window.call('repo.remove', { repositoryId: gone });
    expect(reply).toEqual({ ok: true, result: { ok: true, forgotten: { password: true, storageCredentials: true } } });
    expect(vault.repositories()).toEqual([stays]);
    expect(storageVault.repositories()).toEqual([stays]);
    expect(fs.readFileSync(vaultFile(), 'utf8')).not.toContain(gone);
  });

  it('says what it did not have, and a removal the engine refuses forgets nothing', async () => {
    const window = bridge();
    const plain = await createRepository(fixture.host, { location: path.join(fixture.tmp, 'plain'), password: OLD });
    expect(await window.call('repo.remove', { repositoryId: plain.id })).toEqual({
      ok: true,
      result: { ok: true, forgotten: { password: false, storageCredentials: false } },
    });

    const id = await rememberedRepository('repo', window);
    const refused = await window.call('repo.remove', { repositoryId: 'no-such-repository' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(vault.repositories()).toEqual([id]);
  });

  it('a password left behind for a repository no longer in the app is forgotten at the next start', async () => {
    const id = await rememberedRepository('repo', bridge());
    vault.remember('removed-elsewhere', 'whatever it was');

    await fixture.reopen();
    const outcomes = await unlockRemembered(vault, fixture.host, (message) => logs.push(message));
    expect(outcomes).toEqual([
      { repositoryId: id, status: 'unlocked' },
      { repositoryId: 'removed-elsewhere', status: 'forgotten' },
    ]);
    expect(vault.repositories()).toEqual([id]);
  });
});
