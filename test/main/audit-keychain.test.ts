/**
 * The audit trail's key in the OS keychain on the desktop (src/main/audit-keychain.ts), through the
 * engine client and a real EngineHost run in this process as the utility process would run it
 * (fake `electron` utility process, stand-in safeStorage): a new installation's key is made in the
 * keychain, handed to the engine before it opens, and never written to the folder; an existing
 * folder key moves into the keychain and the trail still verifies; where only `basic_text` exists
 * the folder key stays and `audit verify` says why; a keychain that cannot be used now stops
 * audit entries instead of splitting the trail; a restarted engine is not handed a "fresh" key;
 * and the command line on a data folder keyed in the keychain fails clearly and makes no key.
 */
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AUDIT_KEY_FILE, chainMac, KEYCHAIN_KEY_FILE } from '../../src/app/privacy/audit-key.js';
import { type AuditEntry, GENESIS } from '../../src/app/privacy/audit-trail.js';
import { openPrivacyRecords, privacyDir } from '../../src/app/privacy/index.js';
import { DesktopAuditKey } from '../../src/main/audit-keychain.js';
import { EngineProcessClient, type UtilityProcessLike } from '../../src/main/engine-client.js';
import { AUDIT_KEY_FLAG, dataDirArg, type ParentPortLike, runEngineProcess } from '../../src/main/engine-protocol.js';
import type { SafeStorageLike } from '../../src/main/secrets.js';
import { cairn } from '../support/cli.js';
import { openEngineHost } from '../support/host.js';
import { FakeUtilityProcess, resetFake, utilityProcess } from './fake-electron.js';

const PREFIX = Buffer.from('KEYRING1:');

/** A reversible stand-in for the keyring: a prefix and every byte XORed, so the plaintext never shows. */
class FakeSafeStorage implements SafeStorageLike {
  encryptionAvailable = true;
  backend = 'gnome_libsecret';
  isEncryptionAvailable(): boolean {
    return this.encryptionAvailable;
  }
  encryptString(plainText: string): Buffer {
    if (!this.encryptionAvailable) throw new Error('Encryption is not available.');
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

/** `process.parentPort` in the engine: main's messages arrive as `{ data }`, copied. */
class InProcessPort extends EventEmitter implements ParentPortLike {
  postMessage(_message: unknown): void {}
}

/** A utilityProcess whose fork runs the engine process's start-up here on a real EngineHost. */
function inProcessUtility(): UtilityProcessLike {
  return {
    fork(modulePath, args = [], options = {}) {
      const child = new FakeUtilityProcess(modulePath, args, options);
      const port = new InProcessPort();
      port.postMessage = (message) => setImmediate(() => child.send(structuredClone(message)));
      child.postMessage = (message) => {
        child.posted.push(structuredClone(message));
        setImmediate(() => port.emit('message', { data: structuredClone(message) }));
      };
      let exited = false;
      const exit = (code: number) => {
        if (exited) return;
        exited = true;
        setImmediate(() => child.exitWith(code));
      };
      setImmediate(() =>
        runEngineProcess({
          port,
          argv: ['/electron', ...args],
          openEngine: (dir, auditKey) => openEngineHost(dir, { auditKey }),
          exit,
        }),
      );
      return child;
    },
  };
}

let tmp: string;
let dataDir: string;
let safeStorage: FakeSafeStorage;
let logs: string[];
let client: EngineProcessClient | undefined;

const privacy = () => privacyDir(dataDir);
const folderKeyFile = () => path.join(privacy(), AUDIT_KEY_FILE);
const sealedFile = () => path.join(privacy(), KEYCHAIN_KEY_FILE);
const trailText = () => fs.readFileSync(path.join(privacy(), 'audit.jsonl'), 'utf8');
const entries = () =>
  trailText()
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as AuditEntry);
const keyring = () => new DesktopAuditKey({ safeStorage, platform: 'linux', dataDir, log: (m) => logs.push(m) });

/** The `index`th utility process forked (fails the test when there is none). */
function forked(index: number): FakeUtilityProcess {
  const found = FakeUtilityProcess.instances[index];
  if (!found) throw new Error(`no utility process #${index} was forked`);
  return found;
}

/** The key the stand-in keyring holds sealed in the data folder. */
function keyInKeychain(): Buffer {
  const { sealed } = JSON.parse(fs.readFileSync(sealedFile(), 'utf8')) as { sealed: string };
  return Buffer.from(safeStorage.decryptString(Buffer.from(sealed, 'base64')), 'hex');
}

async function startApp(): Promise<EngineProcessClient> {
  const auditKey = keyring();
  client = await EngineProcessClient.start(inProcessUtility(), '/out/main/engine-process.js', dataDir, {
    auditKey: () => auditKey.choice(),
    log: (m) => logs.push(m),
  });
  return client;
}

interface Verification {
  ok: boolean;
  entries: number;
  keyLocation: string;
}

beforeEach(async () => {
  resetFake();
  tmp = await mkdtemp(path.join(tmpdir(), 'cairn-audit-keychain-'));
  dataDir = path.join(tmp, 'data');
  safeStorage = new FakeSafeStorage();
  logs = [];
  client = undefined;
});
afterEach(async () => {
  await client?.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('the audit key in the desktop keychain', () => {
  it('a new installation: the key is made in safeStorage, handed to the engine first, never written to the folder', async () => {
    const engine = await startApp();
    await engine.handle('consent.set', { purpose: 'usage-statistics', given: true });
    const verified = (await engine.handle('audit.verify', {})) as Verification;
    expect(verified).toMatchObject({ ok: true, entries: 1 });
    expect(verified.keyLocation).toContain('in the system keychain (gnome_libsecret)');
    expect(verified.keyLocation).toContain('anyone who can use your login session can read the key');

    expect(fs.existsSync(folderKeyFile())).toBe(false);
    const key = keyInKeychain();
    expect(fs.readFileSync(sealedFile(), 'utf8')).not.toContain(key.toString('hex'));
    const [first] = entries();
    expect(first?.mac).toBe(chainMac(key, GENESIS, first?.hash ?? ''));
  });

  it('an existing folder key moves into the keychain: the same key, the trail still verifies, the file is gone', async () => {
    const cli = openPrivacyRecords(dataDir, 'cli');
    cli.audit.append('settings.changed', { n: 1 });
    cli.audit.append('settings.changed', { n: 2 });
    const folderKey = fs.readFileSync(folderKeyFile(), 'utf8').trim();

    const engine = await startApp();
    expect(fs.existsSync(folderKeyFile())).toBe(false);
    expect(keyInKeychain().toString('hex')).toBe(folderKey);
    await engine.handle('consent.set', { purpose: 'usage-statistics', given: true });
    expect(await engine.handle('audit.verify', {})).toMatchObject({ ok: true, entries: 3 });
    expect(entries().map((e) => e.action)).toEqual(['settings.changed', 'settings.changed', 'consent.given']);
  });

  it('where only basic_text exists, the key stays in the folder and audit verify says why', async () => {
    safeStorage.backend = 'basic_text';
    const engine = await startApp();
    await engine.handle('consent.set', { purpose: 'usage-statistics', given: true });
    const verified = (await engine.handle('audit.verify', {})) as Verification;
    expect(verified).toMatchObject({ ok: true, entries: 1 });
    expect(verified.keyLocation).toContain(`in the file ${folderKeyFile()}, in the app's data folder`);
    expect(verified.keyLocation).toContain(
      'It is not in the system keychain: no system keyring is available (the only storage is plain text)',
    );
    expect(fs.existsSync(folderKeyFile())).toBe(true);
    expect(fs.existsSync(sealedFile())).toBe(false);
  });

  it('a key in the keychain that cannot be read now stops audit entries instead of splitting the trail', async () => {
    const first = await startApp();
    await first.handle('consent.set', { purpose: 'usage-statistics', given: true });
    await first.close();
    const before = trailText();

    safeStorage.backend = 'basic_text'; // the keyring is gone at the next start
    const engine = await startApp();
    const refused = await engine.handle('audit.verify', {}).catch((e: unknown) => e);
    expect((refused as Error).message).toContain("the audit trail's key is kept in the system keychain");
    expect((refused as Error).message).toContain(
      'Cairn writes and checks no audit entry until the keyring can be used',
    );
    await engine.handle('consent.set', { purpose: 'usage-statistics', given: false }).catch(() => undefined);
    expect(trailText()).toBe(before);
    expect(fs.existsSync(folderKeyFile())).toBe(false);
    expect(logs.some((m) => m.includes("the audit trail's key is kept in the system keychain"))).toBe(true);
  });

  it('hands the key to every engine start, with the flag, and a restarted engine is not told it is fresh', async () => {
    const auditKey = keyring();
    const starting = EngineProcessClient.start(utilityProcess, '/out/main/engine-process.js', dataDir, {
      auditKey: () => auditKey.choice(),
      log: () => {},
    });
    const child = forked(0);
    expect(child.args).toEqual([dataDirArg(dataDir), AUDIT_KEY_FLAG]);
    expect(child.posted[0]).toMatchObject({ type: 'audit-key', choice: { kind: 'keychain', fresh: true } });
    child.send({ type: 'ready' });
    client = await starting;
    child.exitWith(1);
    const restarted = forked(1);
    expect(restarted.posted[0]).toMatchObject({ type: 'audit-key', choice: { kind: 'keychain', fresh: false } });
    const keyOf = (p: FakeUtilityProcess) => (p.posted[0] as { choice: { key: string } }).choice.key;
    expect(keyOf(restarted)).toBe(keyOf(child));
    restarted.send({ type: 'ready' });
    const closing = client.close();
    restarted.exitWith(0);
    await closing;
    client = undefined;
  });

  it('the engine process opens only after the key arrives, and stops on anything else', async () => {
    const opened: string[] = [];
    const posted: unknown[] = [];
    const exits: number[] = [];
    const port = new InProcessPort();
    port.postMessage = (m) => posted.push(m);
    runEngineProcess({
      port,
      argv: ['/electron', dataDirArg('/data/Cairn'), AUDIT_KEY_FLAG],
      openEngine: (dir) => {
        opened.push(dir);
        throw new Error('not opened in this test');
      },
      exit: (code) => exits.push(code),
    });
    expect(opened).toEqual([]);
    port.emit('message', { data: { type: 'call', id: 1, method: 'repo.list', params: {} } });
    expect(opened).toEqual([]);
    expect(posted).toEqual([
      { type: 'fatal', message: 'Cairn’s engine did not receive the audit trail’s key it waits for.' },
    ]);
    expect(exits).toEqual([1]);
  });
});

describe('the command line on a data folder whose key is in the desktop keychain', () => {
  it('audit verify fails clearly, and no command makes a folder key or touches the trail', async () => {
    const engine = await startApp();
    await engine.handle('consent.set', { purpose: 'usage-statistics', given: true });
    await engine.close();
    client = undefined;
    const before = trailText();

    const verify = cairn(['audit', 'verify'], { dataDir });
    expect(verify.status).not.toBe(0);
    expect(verify.stderr).toContain("the audit trail's key is in the desktop app's keychain");
    expect(verify.stderr).toContain('run this from the desktop app');
    const listed = cairn(['audit', 'list', '--json'], { dataDir });
    expect(listed.status).toBe(0);
    expect((JSON.parse(listed.stdout) as AuditEntry[]).map((e) => e.action)).toEqual(['consent.given']);

    expect(fs.existsSync(folderKeyFile())).toBe(false);
    expect(trailText()).toBe(before);
    // The app still verifies its trail afterwards: nothing was forked.
    const again = await startApp();
    expect(await again.handle('audit.verify', {})).toMatchObject({ ok: true, entries: 1 });
  });
});
