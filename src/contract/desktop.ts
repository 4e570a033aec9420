/**
 * The desktop contract: what crosses Electron's IPC between the preload (`window.cairn`) and the
 * main process besides the methods and events themselves — the channel names, the reply envelope,
 * the type of `window.cairn`, and the follow-ups main runs after a method because only it can
 * reach what they touch (the keychain vault), and where main can send the page (a
 * DesktopDestination). src/preload, src/main and src/renderer all read this one definition, so the
 * two ends of a channel cannot drift apart. Types and constants only (and the one schema main's
 * destinations are checked with).
 */
import { z } from 'zod';
import type { ContractErrorCode } from './errors.js';
import type { EventName } from './events.js';
import type { MethodName, Params, Result } from './methods.js';

/** invoke(method, params) → DesktopReply: one contract method, relayed by main to the engine. */
export const CALL_CHANNEL = 'cairn:call';
/** main → page (name, payload): every contract event, sent to each of Cairn's windows. */
export const EVENT_CHANNEL = 'cairn:event';
/**
 * The password vault's channels, answered by main itself (passwords never reach the engine):
 * remember(repositoryId, password) → the repository's info, forget(repositoryId) → `{ ok: true }`,
 * status() → VaultStatus.
 */
export const VAULT_CHANNELS = {
  remember: 'cairn:remember-password',
  forget: 'cairn:forget-password',
  status: 'cairn:vault-status',
} as const;
/** invoke(defaultPath?) → the chosen folder or null: the system folder dialog, for the sender's window only. */
export const CHOOSE_FOLDER_CHANNEL = 'cairn:choose-folder';
/** main → page (DesktopDestination): take the person somewhere, e.g. the tray's "Unlock “NAS”…". */
export const SHOW_CHANNEL = 'cairn:show';

/**
 * Where main can send the page: `unlock` is the Dashboard with that repository's unlock form shown
 * and focused. The renderer's address takes the same as `?screen=unlock&repo=<id>`.
 */
export const DesktopDestination = z.discriminatedUnion('show', [
  z.object({ show: z.literal('unlock'), repositoryId: z.string().min(1) }),
]);
export type DesktopDestination = z.output<typeof DesktopDestination>;

export type VaultChannel = (typeof VAULT_CHANNELS)[keyof typeof VAULT_CHANNELS];
/** The channels main answers itself, beside the contract's `cairn:call`. */
export type MainOnlyChannel = VaultChannel | typeof CHOOSE_FOLDER_CHANNEL;

/** A failure as it crosses IPC: the contract's error shape (errors never cross as thrown objects). */
export interface DesktopError {
  code: ContractErrorCode;
  message: string;
}

/** Every invoke channel answers with this envelope. */
export type DesktopReply<T = unknown> = { ok: true; result: T } | { ok: false; error: DesktopError };

/**
 * How `window.cairn` rejects: a plain object rather than an Error, because contextBridge copies
 * an Error with its message only and drops `code`, while plain objects cross intact.
 */
export interface BridgedError extends DesktopError {
  name: 'ContractError';
}

export interface VaultStatus {
  available: boolean;
  /** Why passwords cannot be kept here (only when `available` is false). */
  reason?: string;
  /** The repositories whose password is kept. */
  remembered: string[];
  /**
   * Of `remembered`, those whose kept password the repository refused when main tried it at start
   * (changed elsewhere): kept, and shown so the user forgets it or remembers the new one.
   */
  stale?: string[];
}

/** What main did to the keychain vault after everything was erased. */
export interface KeychainOutcome {
  cleared: boolean;
  /** The repositories whose remembered passwords or kept storage credentials were deleted. */
  repositoryIds: string[];
  error?: string;
}

/** Whether main kept a repository's storage credentials in the keychain vault, and if not, why. */
export type CredentialsKeeping = { kept: true } | { kept: false; reason: string };

/**
 * What main did with a repository's remembered password after its password was changed in the
 * app: replaced by the new one, or (when that failed) kept but marked stale, with the reason.
 */
export type RememberedPasswordUpdate = { replaced: true } | { replaced: false; reason: string };

/** What main forgot on this computer when a repository was removed from the app. */
export interface ForgottenSecrets {
  /** A remembered password was kept and is forgotten. */
  password: boolean;
  /** Storage credentials were kept and are forgotten. */
  storageCredentials: boolean;
  /** What could not be forgotten (the next start forgets what is left of a removed repository). */
  error?: string;
}

/**
 * A follow-up: what main must do itself once a contract method succeeded, because the engine runs
 * in another process and cannot reach it. `clear-password-vault` deletes every remembered password
 * and every kept storage credential (and any corrupt vault copy set aside earlier), adds
 * `keychain: KeychainOutcome` to the result and to the receipt file the result names.
 * `keep-storage-credentials` keeps the `credentials` the method was given in the keychain vault
 * under the repository's id (`{}` drops them; none given changes nothing), so main can hand them
 * to the engine at the next start; it adds `credentialsKept` when credentials were given.
 * `replace-remembered-password` replaces the remembered password of the repository by the new one
 * (marking the old one stale when that fails) and adds `rememberedPassword` when one was
 * remembered. `forget-repository-secrets` forgets the repository's remembered password and kept
 * storage credentials and adds `forgotten`.
 */
export type DesktopFollowUp =
  | 'clear-password-vault'
  | 'keep-storage-credentials'
  | 'replace-remembered-password'
  | 'forget-repository-secrets';

/** The methods that have a follow-up. Main looks a method up here; it names no method itself. */
export const DESKTOP_FOLLOW_UPS = {
  /** Erasing everything includes the passwords the desktop remembered for unattended unlock. */
  'privacy.eraseAll': 'clear-password-vault',
  /** A remote repository's password or keys, typed once, survive a restart of the app. */
  'repo.create': 'keep-storage-credentials',
  'repo.connect': 'keep-storage-credentials',
  'repo.setStorageSettings': 'keep-storage-credentials',
  /** A remembered password that the change made wrong would stop unattended unlock without a word. */
  'keys.changePassword': 'replace-remembered-password',
  /** Nothing of a removed repository stays in the keychain. */
  'repo.remove': 'forget-repository-secrets',
} as const satisfies { readonly [M in MethodName]?: DesktopFollowUp };

/** What each follow-up adds to its method's result (absent when main has no vault to act on). */
export interface DesktopFollowUpResults {
  'clear-password-vault': { keychain?: KeychainOutcome };
  'keep-storage-credentials': { credentialsKept?: CredentialsKeeping };
  'replace-remembered-password': { rememberedPassword?: RememberedPasswordUpdate };
  'forget-repository-secrets': { forgotten?: ForgottenSecrets };
}

type FollowedUp = keyof typeof DESKTOP_FOLLOW_UPS;

/** A method's result as `window.cairn` delivers it: the contract's result plus its follow-up's additions. */
export type DesktopResult<M extends MethodName> = M extends FollowedUp
  ? Result<M> & DesktopFollowUpResults[(typeof DESKTOP_FOLLOW_UPS)[M]]
  : Result<M>;

export type DesktopEventListener = (name: EventName, payload: unknown) => void;

/** `window.cairn`, as the preload exposes it: one function per contract method plus the desktop's own. */
export type CairnDesktopApi = { [M in MethodName]: (params?: Params<M>) => Promise<DesktopResult<M>> } & {
  /** Subscribes to every contract event; returns the unsubscribe function. */
  onEvent(listener: DesktopEventListener): () => void;
  /** Unlocks the repository with `password` and, only if that worked, keeps the password for unattended unlock. */
  rememberPassword(repositoryId: string, password: string): Promise<Result<'repo.unlock'>>;
  /** Drops the kept password of the repository. */
  forgetPassword(repositoryId: string): Promise<void>;
  vaultStatus(): Promise<VaultStatus>;
  /** Opens the system folder dialog; the chosen folder, or null when cancelled. */
  chooseFolder(defaultPath?: string): Promise<string | null>;
  /**
   * Follows main's destinations (SHOW_CHANNEL); returns the unsubscribe function. One main sent
   * before anything listened (the window was just opened) is delivered to the first listener.
   */
  onShow(listener: (destination: DesktopDestination) => void): () => void;
};
