/**
 * The audit trail's chain key in the OS keychain, for the desktop app (issue 22): main reaches the
 * keychain through Electron's safeStorage, as it does for remembered passwords (secrets.ts), and
 * hands the key to the engine process before the engine opens (engine-protocol.ts). The same rule
 * holds: where safeStorage would only obfuscate (Linux `basic_text`) or cannot encrypt, nothing is
 * kept there and the key stays in the data folder, with the reason shown by `audit verify`. A
 * folder key found at start moves into the keychain (same key: the trail's macs stay valid).
 * When the key is in the keychain but the keychain cannot be used now, the engine writes no audit
 * entry rather than start a second chain under a new key. The key itself: src/app/privacy/audit-key.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  type AuditKeyChoice,
  KEYCHAIN_KEY_FILE,
  type KeychainSealer,
  keychainAuditKey,
} from '../app/privacy/audit-key.js';
import { PasswordVault, type SafeStorageLike } from './secrets.js';

export interface DesktopAuditKeyOptions {
  safeStorage: SafeStorageLike;
  platform: NodeJS.Platform;
  dataDir: string;
  /** Where a key that cannot be kept in the keychain is reported; console.warn by default. */
  log?: (message: string) => void;
}

const NO_ENTRIES =
  'Cairn writes and checks no audit entry until the keyring can be used (a new key would split the trail)';

/** How the key's place is chosen at each engine start (the engine is restarted once after a crash). */
export class DesktopAuditKey {
  private readonly dir: string;
  private readonly log: (message: string) => void;

  constructor(private readonly options: DesktopAuditKeyOptions) {
    // privacyDir() of src/app/privacy/index.ts, not imported: that module would bring the engine into main.
    this.dir = path.join(path.resolve(options.dataDir), 'privacy');
    this.log = options.log ?? ((message) => console.warn(message));
  }

  /** The sealed key's file; it exists exactly when the key is in the keychain. */
  get sealedFile(): string {
    return path.join(this.dir, KEYCHAIN_KEY_FILE);
  }

  /**
   * The key for an engine process about to open: read from the keychain, or moved or made there;
   * else why the folder keeps it, or why no entry can be written now. Never throws.
   */
  choice(): AuditKeyChoice {
    const { safeStorage, platform } = this.options;
    const inKeychain = (): boolean => fs.existsSync(this.sealedFile);
    const kept = inKeychain();
    // The refusal rule and its wording are the password vault's, for the same keychain.
    const availability = new PasswordVault({
      safeStorage,
      platform,
      file: this.sealedFile,
      wording: {
        vault: 'audit key',
        secret: "audit trail's key",
        secrets: 'secrets',
        fallback: kept ? NO_ENTRIES : "the audit trail's key stays in the data folder",
      },
    }).available();
    if (!availability.ok) {
      if (!kept) return { kind: 'folder', reason: availability.reason };
      return this.unavailable(
        `the audit trail's key is kept in the system keychain (${this.sealedFile}), but ${availability.reason}`,
      );
    }
    const name =
      platform === 'linux' ? `the system keychain (${safeStorage.getSelectedStorageBackend()})` : 'the system keychain';
    const sealer: KeychainSealer = {
      name,
      seal: (text) => safeStorage.encryptString(text),
      unseal: (sealed) => safeStorage.decryptString(sealed),
    };
    try {
      fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      const key = keychainAuditKey(this.dir, sealer);
      return { kind: 'keychain', key: key.key.toString('hex'), where: key.where, fresh: key.fresh };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      // Nothing was sealed: the folder key is still the key, as before.
      if (!inKeychain()) {
        const reason = `${name} could not keep it: ${message}`;
        this.log(`Cairn keeps the audit trail's key in the data folder: ${reason}`);
        return { kind: 'folder', reason };
      }
      return this.unavailable(message);
    }
  }

  private unavailable(reason: string): AuditKeyChoice {
    this.log(reason);
    return { kind: 'unavailable', reason };
  }
}
