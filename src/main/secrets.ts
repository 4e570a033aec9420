/**
 * Unattended unlock: repository passwords kept encrypted with Electron's safeStorage (the system
 * keyring) in `<dataDir>/vault.json`, so Cairn can unlock repositories at start without asking.
 * Where safeStorage would only obfuscate (Linux with no keyring: the `basic_text` backend), the
 * vault refuses and Cairn asks for the password at start instead. The engine and the contract
 * never store passwords; only this main-process module does, and never in plain text.
 *
 * File format: `{ "version": 1, "entries": { "<repositoryId>": "<base64 of encryptString(password)>" } }`,
 * written atomically (temporary file + rename) with mode 0600. A file that cannot be read as that
 * is renamed to `vault.json.corrupt-<time>` (kept for inspection), reported, and treated as empty.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ForgottenSecrets, KeychainOutcome, RememberedPasswordUpdate, VaultStatus } from '../contract/desktop.js';
import { ContractErrorCode } from '../contract/errors.js';
import type { EngineLike } from './engine-like.js';

/** The members of Electron's `safeStorage` the vault uses (Electron's object fits as is). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  getSelectedStorageBackend(): string;
}

export interface PasswordVaultOptions {
  safeStorage: SafeStorageLike;
  platform: NodeJS.Platform;
  /** The vault file, normally `<dataDir>/vault.json`. */
  file: string;
  /** Where problems are reported (a corrupt file, an unreadable entry); console.warn by default. */
  log?: (message: string) => void;
  /** How messages name what is kept (default: repository passwords); a sibling vault keeps other secrets. */
  wording?: VaultWording;
}

/** The words a vault's messages use for itself and what it keeps. */
export interface VaultWording {
  /** The vault itself: "password vault". */
  vault: string;
  /** One kept secret, after "the": "password". */
  secret: string;
  /** Kept secrets in general: "passwords". */
  secrets: string;
  /** What happens when nothing can be kept: "Cairn asks for the password at start". */
  fallback: string;
}

export const PASSWORD_WORDING: VaultWording = {
  vault: 'password vault',
  secret: 'password',
  secrets: 'passwords',
  fallback: 'Cairn asks for the password at start',
};

export type VaultAvailability = { ok: true } | { ok: false; reason: string };

const basicTextReason = (w: VaultWording): string =>
  `no system keyring is available (the only storage is plain text), so ${w.fallback}`;
const noEncryptionReason = (w: VaultWording): string =>
  `the system keyring cannot encrypt ${w.secrets} right now, so ${w.fallback}`;
const keyringNotReadyReason = (w: VaultWording): string =>
  `the system keyring is not ready yet (Cairn has not finished starting), so ${w.fallback}`;

export const BASIC_TEXT_REASON = basicTextReason(PASSWORD_WORDING);

const FILE_MODE = 0o600;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

type Entries = Record<string, string>;

/** A prototype-less map, so no repository id (even `__proto__`) can touch Object.prototype. */
function emptyEntries(): Entries {
  return Object.create(null) as Entries;
}

/** Thrown when the vault cannot do what was asked; the message is fit to show to a person. */
export class VaultError extends Error {
  constructor(
    message: string,
    /** How the failure crosses IPC (see toIpcError in ./ipc.ts). */
    readonly code: ContractErrorCode = 'invalid-argument',
  ) {
    super(message);
    this.name = 'VaultError';
  }
}

export class PasswordVault {
  private readonly safeStorage: SafeStorageLike;
  private readonly platform: NodeJS.Platform;
  private readonly file: string;
  private readonly log: (message: string) => void;
  private readonly words: VaultWording;
  /**
   * Repositories whose kept password the engine refused at start (changed elsewhere). Kept, not
   * forgotten: the entry is the user's choice, and the mark tells them (Dashboard, Settings) to
   * forget it or remember the new password. In memory: the next start tries again and re-marks.
   */
  private readonly staleIds = new Set<string>();

  constructor(options: PasswordVaultOptions) {
    this.safeStorage = options.safeStorage;
    this.platform = options.platform;
    this.file = options.file;
    this.log = options.log ?? ((message) => console.warn(message));
    this.words = options.wording ?? PASSWORD_WORDING;
  }

  /** Whether passwords can be kept safely here, and if not, why. */
  available(): VaultAvailability {
    if (this.platform === 'linux') {
      const backend = this.safeStorage.getSelectedStorageBackend();
      if (backend === 'basic_text') return { ok: false, reason: basicTextReason(this.words) };
      if (backend === 'unknown') return { ok: false, reason: keyringNotReadyReason(this.words) };
    }
    if (!this.safeStorage.isEncryptionAvailable()) return { ok: false, reason: noEncryptionReason(this.words) };
    return { ok: true };
  }

  status(): VaultStatus {
    const availability = this.available();
    const remembered = this.repositories();
    const stale = remembered.filter((id) => this.staleIds.has(id));
    return availability.ok
      ? { available: true, remembered, stale }
      : { available: false, reason: availability.reason, remembered, stale };
  }

  /** Marks the kept password of `repositoryId` as no longer opening it (see `stale` in status()). */
  markStale(repositoryId: string): void {
    requireId(repositoryId);
    this.staleIds.add(repositoryId);
  }

  /** Keeps the password of `repositoryId`, encrypted. Throws a VaultError when that is not possible here. */
  remember(repositoryId: string, password: string): void {
    requireId(repositoryId);
    if (typeof password !== 'string' || password.length === 0) {
      throw new VaultError(`Cairn cannot remember an empty ${this.words.secret}.`);
    }
    const availability = this.available();
    if (!availability.ok) {
      throw new VaultError(`Cairn cannot remember the ${this.words.secret}: ${availability.reason}.`);
    }
    let sealed: Buffer;
    try {
      sealed = this.safeStorage.encryptString(password);
    } catch (err) {
      throw new VaultError(
        `Cairn could not encrypt the ${this.words.secret} with the system keyring: ${messageOf(err)}.`,
        'io',
      );
    }
    const entries = this.read();
    entries[repositoryId] = sealed.toString('base64');
    this.write(entries);
    this.staleIds.delete(repositoryId);
  }

  /** Drops the password of `repositoryId`, if one is kept. */
  forget(repositoryId: string): void {
    requireId(repositoryId);
    this.staleIds.delete(repositoryId);
    const entries = this.read();
    if (!Object.hasOwn(entries, repositoryId)) return;
    delete entries[repositoryId];
    this.write(entries);
  }

  /**
   * The kept password of `repositoryId`, or undefined when none is kept. Throws a VaultError when
   * one is kept but cannot be decrypted (the keyring is unavailable, or it changed).
   */
  recall(repositoryId: string): string | undefined {
    requireId(repositoryId);
    const sealed = this.read()[repositoryId];
    if (sealed === undefined) return undefined;
    const availability = this.available();
    if (!availability.ok) {
      throw new VaultError(`Cairn cannot read the kept ${this.words.secret}: ${availability.reason}.`);
    }
    try {
      return this.safeStorage.decryptString(Buffer.from(sealed, 'base64'));
    } catch (err) {
      throw new VaultError(
        `Cairn could not decrypt the kept ${this.words.secret} with the system keyring: ${messageOf(err)}.`,
        'io',
      );
    }
  }

  /**
   * Erasing everything: drops every kept password by deleting the vault file itself (a corrupt
   * vault set aside earlier goes too). Returns the repositories whose password was kept.
   */
  clear(): string[] {
    let ids: string[] = [];
    try {
      ids = this.repositories();
    } catch {
      // unreadable: it is deleted all the same
    }
    const dir = path.dirname(this.file);
    const base = path.basename(this.file);
    try {
      for (const name of fs.readdirSync(dir)) {
        if (name === base || name.startsWith(`${base}.corrupt-`)) fs.rmSync(path.join(dir, name), { force: true });
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new VaultError(`Cairn could not delete its ${this.words.vault} ${this.file}: ${messageOf(err)}.`, 'io');
      }
    }
    return ids;
  }

  /** The repositories whose password is kept, sorted. */
  repositories(): string[] {
    return Object.keys(this.read()).sort();
  }

  private read(): Entries {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyEntries();
      throw new VaultError(`Cairn could not read its ${this.words.vault} ${this.file}: ${messageOf(err)}.`, 'io');
    }
    const problem = formatProblem(text);
    if (typeof problem !== 'string') return problem;
    this.setAside(problem);
    return emptyEntries();
  }

  /** Moves a corrupt vault out of the way (never deletes it) and reports why. */
  private setAside(problem: string): void {
    const aside = `${this.file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    try {
      fs.renameSync(this.file, aside);
      this.log(
        `Cairn's ${this.words.vault} ${this.file} is unreadable (${problem}); it was moved to ${aside} and Cairn starts with no kept ${this.words.secrets}.`,
      );
    } catch (err) {
      throw new VaultError(
        `Cairn's ${this.words.vault} ${this.file} is unreadable (${problem}) and could not be moved aside: ${messageOf(err)}.`,
        'io',
      );
    }
  }

  private write(entries: Entries): void {
    const dir = path.dirname(this.file);
    const temp = path.join(dir, `.${path.basename(this.file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    const body = `${JSON.stringify({ version: 1, entries }, null, 2)}\n`;
    try {
      fs.mkdirSync(dir, { recursive: true });
      const fd = fs.openSync(temp, 'wx', FILE_MODE);
      try {
        fs.writeFileSync(fd, body);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.chmodSync(temp, FILE_MODE);
      fs.renameSync(temp, this.file);
    } catch (err) {
      fs.rmSync(temp, { force: true });
      throw new VaultError(`Cairn could not save its ${this.words.vault} ${this.file}: ${messageOf(err)}.`, 'io');
    }
  }
}

/** The entries of a vault file's text, or a description of what is wrong with it. */
function formatProblem(text: string): Entries | string {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return 'it is not valid JSON';
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return 'it is not a JSON object';
  const { version, entries } = data as { version?: unknown; entries?: unknown };
  if (version !== 1) return `its version is ${JSON.stringify(version) ?? 'missing'}, not 1`;
  if (typeof entries !== 'object' || entries === null || Array.isArray(entries)) return 'its entries are missing';
  const result = emptyEntries();
  for (const [id, sealed] of Object.entries(entries)) {
    if (id.length === 0 || typeof sealed !== 'string' || !BASE64.test(sealed)) {
      return `the entry for "${id}" is not an encrypted password`;
    }
    result[id] = sealed;
  }
  return result;
}

function requireId(repositoryId: string): void {
  if (typeof repositoryId !== 'string' || repositoryId.length === 0) {
    throw new VaultError('A repository id is needed.');
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The contract error code carried by a thrown value, if any. */
function codeOf(err: unknown): ContractErrorCode | undefined {
  const parsed = ContractErrorCode.safeParse((err as { code?: unknown } | null)?.code);
  return parsed.success ? parsed.data : undefined;
}

export type UnlockOutcome =
  | { repositoryId: string; status: 'unlocked' }
  /** The kept password is wrong (it was changed elsewhere): it is kept, marked stale (VaultStatus.stale). */
  | { repositoryId: string; status: 'stale'; message: string }
  /** Unlocking failed for another reason (offline, keyring unavailable…): the password is kept. */
  | { repositoryId: string; status: 'failed'; message: string }
  /** The repository is no longer in the app: its password was forgotten. */
  | { repositoryId: string; status: 'forgotten' };

/**
 * At start: unlocks every repository whose password is kept, one at a time. A wrong password
 * (changed elsewhere) keeps the entry but marks it stale, so the Dashboard and Settings say so and
 * the user chooses: forget it, or remember the new one (typing it with "Remember" replaces it).
 * Forgetting silently would lose the user's choice with no trace of why unattended unlock stopped.
 * Other failures are reported and the entry kept for next time, except that the password of a
 * repository no longer in the app (removed while forgetting failed) is forgotten. Never throws;
 * returns what happened to each repository.
 */
export async function unlockRemembered(
  vault: PasswordVault,
  engine: Pick<EngineLike, 'handle'>,
  log: (message: string) => void = (message) => console.warn(message),
): Promise<UnlockOutcome[]> {
  const outcomes: UnlockOutcome[] = [];
  let ids: string[];
  try {
    ids = vault.repositories();
  } catch (err) {
    log(`Cairn could not read its kept passwords: ${messageOf(err)}`);
    return outcomes;
  }
  for (const repositoryId of ids) {
    try {
      const password = vault.recall(repositoryId);
      if (password === undefined) continue;
      await engine.handle('repo.unlock', { repositoryId, password });
      outcomes.push({ repositoryId, status: 'unlocked' });
    } catch (err) {
      if (codeOf(err) === 'not-found' && forgetQuietly(vault, repositoryId, log)) {
        outcomes.push({ repositoryId, status: 'forgotten' });
      } else if (codeOf(err) === 'wrong-password') {
        vault.markStale(repositoryId);
        const message = `The remembered password of repository ${repositoryId} no longer opens it (it was changed elsewhere); Cairn kept it, marked, until you forget it or remember the new one.`;
        log(message);
        outcomes.push({ repositoryId, status: 'stale', message });
      } else {
        const message = `Cairn could not unlock repository ${repositoryId} with its kept password: ${messageOf(err)}`;
        log(message);
        outcomes.push({ repositoryId, status: 'failed', message });
      }
    }
  }
  return outcomes;
}

/** Forgets the password of a repository that is gone; whether that worked (a failure is logged). */
function forgetQuietly(vault: PasswordVault, repositoryId: string, log: (message: string) => void): boolean {
  try {
    vault.forget(repositoryId);
    return true;
  } catch (err) {
    log(`Cairn could not forget the kept password of removed repository ${repositoryId}: ${messageOf(err)}`);
    return false;
  }
}

/**
 * The `replace-remembered-password` follow-up: 'keys.changePassword' succeeded, so a remembered
 * password of that repository no longer opens it. It is replaced by the new one; when that fails
 * (the keyring refuses, the file cannot be written) the old one is marked stale, so the Dashboard
 * and Settings say so, and never left silently wrong. Nothing is added when none was remembered.
 * Never throws.
 */
export function replaceRememberedAfterChange(
  vault: PasswordVault,
  params: unknown,
  log: (message: string) => void = (message) => console.warn(message),
): { rememberedPassword?: RememberedPasswordUpdate } {
  const { repositoryId, newPassword } = (params ?? {}) as { repositoryId?: unknown; newPassword?: unknown };
  if (typeof repositoryId !== 'string' || repositoryId === '') return {};
  try {
    if (!vault.repositories().includes(repositoryId)) return {};
    if (typeof newPassword !== 'string' || newPassword === '') {
      throw new VaultError('the new password did not reach the main process');
    }
    vault.remember(repositoryId, newPassword);
    return { rememberedPassword: { replaced: true } };
  } catch (err) {
    vault.markStale(repositoryId);
    const reason = messageOf(err);
    log(
      `The password of repository ${repositoryId} was changed, but Cairn could not replace the remembered one: ${reason}`,
    );
    return { rememberedPassword: { replaced: false, reason } };
  }
}

/** A vault that keeps one secret per repository (the passwords, the storage credentials). */
export interface RepositorySecrets {
  repositories(): string[];
  forget(repositoryId: string): void;
}

/**
 * The `forget-repository-secrets` follow-up: after 'repo.remove' succeeded, forgets the
 * repository's remembered password and kept storage credentials (each vault given). What cannot be
 * forgotten is logged and noted; the next start forgets it (its repository is not found). Never
 * throws.
 */
export function forgetAfterRemove(
  params: unknown,
  vaults: { password?: RepositorySecrets | undefined; storageCredentials?: RepositorySecrets | undefined },
  log: (message: string) => void = (message) => console.warn(message),
): { forgotten?: ForgottenSecrets } {
  const repositoryId = (params as { repositoryId?: unknown } | null)?.repositoryId;
  if (typeof repositoryId !== 'string' || repositoryId === '') return {};
  const forgotten: ForgottenSecrets = { password: false, storageCredentials: false };
  const problems: string[] = [];
  for (const key of ['password', 'storageCredentials'] as const) {
    const vault = vaults[key];
    if (!vault) continue;
    try {
      const kept = vault.repositories().includes(repositoryId);
      if (kept) vault.forget(repositoryId);
      forgotten[key] = kept;
    } catch (err) {
      problems.push(messageOf(err));
    }
  }
  if (problems.length > 0) {
    forgotten.error = problems.join(' ');
    log(`Repository ${repositoryId} was removed, but Cairn could not forget what it kept for it: ${forgotten.error}`);
  }
  return { forgotten };
}

/**
 * Unlocks `repositoryId` with `password` through the engine and, only when that succeeds, keeps
 * the password. Returns the engine's result (the repository's info). A wrong password or any
 * engine failure is thrown as is, and nothing is kept.
 */
export async function unlockAndRemember(
  vault: PasswordVault,
  engine: Pick<EngineLike, 'handle'>,
  repositoryId: string,
  password: string,
): Promise<unknown> {
  const availability = vault.available();
  if (!availability.ok) throw new VaultError(`Cairn cannot remember the password: ${availability.reason}.`);
  const info = await engine.handle('repo.unlock', { repositoryId, password });
  try {
    vault.remember(repositoryId, password);
  } catch (err) {
    throw new VaultError(
      `The repository is unlocked, but Cairn could not keep its password: ${messageOf(err)}`,
      err instanceof VaultError ? err.code : 'io',
    );
  }
  return info;
}

/**
 * After the engine erased everything ('privacy.eraseAll'), the engine cannot reach the keychain
 * vault: the main process clears it (and the sibling vaults in `others`, such as the storage
 * credentials) and adds that to the receipt file the engine wrote (`keychain: { cleared, at,
 * repositoryIds }`). The desktop contract's `clear-password-vault` follow-up (see follow-ups.ts).
 * Never throws; problems are logged and noted.
 */
export function clearVaultAfterEraseAll(
  vault: PasswordVault,
  result: unknown,
  log: (message: string) => void = (message) => console.warn(message),
  others: ReadonlyArray<{ clear(): string[] }> = [],
): KeychainOutcome {
  let outcome: KeychainOutcome;
  try {
    const ids = new Set(vault.clear());
    for (const other of others) for (const id of other.clear()) ids.add(id);
    outcome = { cleared: true, repositoryIds: [...ids].sort() };
  } catch (err) {
    outcome = { cleared: false, repositoryIds: [], error: messageOf(err) };
    log(`Everything was erased, but Cairn could not clear its kept passwords: ${messageOf(err)}`);
  }
  const receiptFile = (result as { receiptFile?: unknown } | null)?.receiptFile;
  if (typeof receiptFile === 'string' && path.isAbsolute(receiptFile)) {
    try {
      const receipt = JSON.parse(fs.readFileSync(receiptFile, 'utf8')) as Record<string, unknown>;
      receipt.keychain = { ...outcome, at: new Date().toISOString() };
      const temp = `${receiptFile}.${randomBytes(6).toString('hex')}.tmp`;
      fs.writeFileSync(temp, `${JSON.stringify(receipt, null, 2)}\n`, { mode: FILE_MODE });
      fs.renameSync(temp, receiptFile);
    } catch (err) {
      log(`Cairn could not add the cleared passwords to the receipt ${receiptFile}: ${messageOf(err)}`);
    }
  }
  return outcome;
}
