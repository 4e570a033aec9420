/**
 * The audit trail's key kept in a keychain (src/app/privacy/audit-key.ts), over real files and a
 * stand-in keychain that really transforms what it seals: a new key is made sealed, never in the
 * folder, and may key a trail written before macs; a folder key moves in unchanged, so the trail
 * still verifies, and the folder file is gone; a key moved in is not fresh, so a trail stripped of
 * its macs is reported, not re-keyed; a trail written under another key is reported as forged; a
 * move interrupted after sealing is finished; a damaged sealed key makes no new key; and a process
 * without the keychain (the CLI, `cairn serve`) refuses the trail rather than make a key of its own.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AUDIT_KEY_FILE,
  auditKeySource,
  folderAuditKey,
  KEYCHAIN_KEY_FILE,
  type KeychainSealer,
  keychainAuditKey,
} from '../../src/app/privacy/audit-key.js';
import { type AuditEntry, AuditTrail, entryHash, GENESIS } from '../../src/app/privacy/audit-trail.js';
import { makeTempDir, removeDir } from '../engine/helpers.js';

const PREFIX = Buffer.from('SEALED:');

/** Seals by XOR behind a prefix: the key's hex never shows in the sealed file. */
class StandInKeychain implements KeychainSealer {
  name = 'the test keychain';
  sealed = 0;
  seal(text: string): Buffer {
    this.sealed++;
    return Buffer.concat([PREFIX, Buffer.from(text, 'utf8').map((b) => b ^ 0x33)]);
  }
  unseal(sealed: Buffer): string {
    if (!sealed.subarray(0, PREFIX.length).equals(PREFIX)) throw new Error('not sealed by this keychain');
    return Buffer.from(sealed.subarray(PREFIX.length).map((b) => b ^ 0x33)).toString('utf8');
  }
}

let dir: string;
let keychain: StandInKeychain;
const folderFile = () => path.join(dir, AUDIT_KEY_FILE);
const sealedFile = () => path.join(dir, KEYCHAIN_KEY_FILE);
const trailWith = (source: ReturnType<typeof auditKeySource>) => new AuditTrail(dir, 'app', undefined, source);
const keychainTrail = () => trailWith(() => keychainAuditKey(dir, keychain));

beforeEach(async () => {
  dir = await makeTempDir('audit-keychain-key');
  keychain = new StandInKeychain();
});
afterEach(async () => {
  await removeDir(dir);
});

describe('the audit key in a keychain', () => {
  it('is made sealed when there is none, never written to the folder, and the trail verifies with it', () => {
    const key = keychainAuditKey(dir, keychain);
    expect(key.fresh).toBe(true);
    expect(fs.existsSync(folderFile())).toBe(false);
    const sealed = fs.readFileSync(sealedFile(), 'utf8');
    expect(sealed).not.toContain(key.key.toString('hex'));
    expect(key.where).toContain('the test keychain');
    expect(key.where).toContain('anyone who can use your login session can read the key');

    const again = keychainAuditKey(dir, keychain);
    expect(again.fresh).toBe(false);
    expect(again.key.equals(key.key)).toBe(true);

    const trail = trailWith(() => again);
    trail.append('settings.changed', { n: 1 });
    expect(trail.verify()).toMatchObject({ ok: true, entries: 1 });
    expect(fs.existsSync(folderFile())).toBe(false);
  });

  it('moves a folder key in unchanged: the trail written under it still verifies and the folder file is gone', () => {
    const cliTrail = new AuditTrail(dir, 'cli');
    cliTrail.append('settings.changed', { n: 1 });
    cliTrail.append('settings.changed', { n: 2 });
    const folderKey = fs.readFileSync(folderFile(), 'utf8').trim();

    const moved = keychainAuditKey(dir, keychain);
    expect(moved.key.toString('hex')).toBe(folderKey);
    expect(moved.fresh).toBe(false);
    expect(fs.existsSync(folderFile())).toBe(false);
    expect(fs.readdirSync(dir).filter((n) => n.startsWith('.audit.key'))).toEqual([]);

    const appTrail = trailWith(() => moved);
    expect(appTrail.verify()).toMatchObject({ ok: true, entries: 2 });
    appTrail.append('settings.changed', { n: 3 });
    expect(appTrail.verify()).toMatchObject({ ok: true, entries: 3 });
  });

  it('a new key gives macs to a trail written before entries were keyed; a moved-in key does not', () => {
    const legacy = (): void => {
      let prev = GENESIS;
      const out: string[] = [];
      for (let seq = 1; seq <= 2; seq++) {
        const body = {
          seq,
          at: '2026-01-01T00:00:00.000Z',
          actor: 'cli' as const,
          action: 'settings.changed',
          details: {},
          prev,
        };
        const hash = entryHash(body);
        out.push(JSON.stringify({ ...body, hash }));
        prev = hash;
      }
      fs.writeFileSync(path.join(dir, 'audit.jsonl'), `${out.join('\n')}\n`);
      fs.writeFileSync(path.join(dir, 'audit.head.json'), `${JSON.stringify({ seq: 2, hash: prev })}\n`);
    };

    legacy();
    const fresh = keychainTrail();
    expect(fresh.verify()).toMatchObject({ ok: true, entries: 3 });
    expect(fresh.entries().at(-1)?.action).toBe('audit.keyed');

    // The same unkeyed trail again, with a folder key moved in: not fresh, so reported.
    fs.rmSync(sealedFile());
    fs.writeFileSync(folderFile(), `${'ab'.repeat(32)}\n`);
    legacy();
    const moved = keychainTrail();
    expect(moved.verify()).toMatchObject({ ok: false, problem: { seq: 1, kind: 'forged' } });
    expect(moved.entries().map((e: AuditEntry) => e.action)).toEqual(['settings.changed', 'settings.changed']);
  });

  it('reports a trail whose macs are not those of the keychain key', () => {
    const other = new AuditTrail(dir, 'cli');
    other.append('settings.changed', { n: 1 });
    fs.rmSync(folderFile()); // the trail's own key is lost; the keychain gets a new one
    const trail = keychainTrail();
    expect(trail.verify()).toMatchObject({ ok: false, problem: { seq: 1, kind: 'forged' } });
  });

  it('finishes a move interrupted after sealing: the same key left in the folder is deleted', () => {
    fs.writeFileSync(folderFile(), `${'cd'.repeat(32)}\n`);
    const moved = keychainAuditKey(dir, keychain);
    fs.writeFileSync(folderFile(), `${'cd'.repeat(32)}\n`); // as if the delete had not happened
    const read = keychainAuditKey(dir, keychain);
    expect(read.key.equals(moved.key)).toBe(true);
    expect(fs.existsSync(folderFile())).toBe(false);
  });

  it('makes no new key when the sealed key cannot be read', () => {
    keychainAuditKey(dir, keychain);
    const before = fs.readFileSync(sealedFile(), 'utf8');
    const other = new StandInKeychain();
    other.unseal = () => {
      throw new Error('the keyring was reset');
    };
    expect(() => keychainAuditKey(dir, other)).toThrow(
      /cannot be read \(the test keychain could not decrypt it: the keyring was reset\); no audit entry is written/,
    );
    fs.writeFileSync(sealedFile(), 'not json');
    expect(() => keychainAuditKey(dir, keychain)).toThrow(/not valid JSON/);
    fs.writeFileSync(sealedFile(), before);
    expect(keychain.sealed).toBe(1);
    expect(fs.existsSync(folderFile())).toBe(false);
  });
});

describe('a process without the keychain on a data folder whose key is in it', () => {
  it('refuses to write or check the trail and never makes a folder key', () => {
    const appTrail = keychainTrail();
    appTrail.append('settings.changed', { n: 1 });
    const text = fs.readFileSync(appTrail.file, 'utf8');

    const cli = new AuditTrail(dir, 'cli');
    const refusal = /the audit trail's key is in the desktop app's keychain .*run this from the desktop app/;
    expect(() => cli.append('settings.changed', { n: 2 })).toThrow(refusal);
    expect(() => cli.verify()).toThrow(refusal);
    expect(() => folderAuditKey(dir)).toThrow(refusal);
    expect(fs.existsSync(folderFile())).toBe(false);
    expect(fs.readFileSync(appTrail.file, 'utf8')).toBe(text);
    expect(cli.entries()).toHaveLength(1); // reading needs no key
  });

  it('the folder key states its limit, and why it is not in a keychain when the app says so', () => {
    const key = auditKeySource(dir, { kind: 'folder', reason: 'no system keyring is available' })();
    expect(key.where).toContain(`in the file ${folderFile()}, in the app's data folder`);
    expect(key.where).toContain('someone who can read the folder can read the key');
    expect(key.where).toContain('It is not in the system keychain: no system keyring is available.');
    expect(fs.existsSync(folderFile())).toBe(true);
  });

  it('an unavailable keychain key refuses with the reason the app gave', () => {
    const trail = trailWith(auditKeySource(dir, { kind: 'unavailable', reason: 'the keyring is locked' }));
    expect(() => trail.append('settings.changed', {})).toThrow('the keyring is locked');
    expect(fs.existsSync(folderFile())).toBe(false);
    expect(fs.existsSync(trail.file)).toBe(false);
  });
});
