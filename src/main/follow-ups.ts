/**
 * The follow-ups main runs after a contract method succeeded: the part of an action only the main
 * process can reach, such as the keychain vault. Which method has which follow-up is declared once,
 * in the desktop contract (DESKTOP_FOLLOW_UPS in src/contract/desktop.ts); here each follow-up gets
 * its runner, so the IPC relay only asks "what follows this method?" and never names one.
 */
import { DESKTOP_FOLLOW_UPS, type DesktopFollowUp, type DesktopFollowUpResults } from '../contract/desktop.js';
import type { MethodName } from '../contract/methods.js';
import {
  clearVaultAfterEraseAll,
  forgetAfterRemove,
  type PasswordVault,
  replaceRememberedAfterChange,
} from './secrets.js';
import { keepCredentialsAfter, type StorageCredentialVault } from './storage-credentials.js';

/**
 * Runs one follow-up over the method's result (and the request it answered); returns the fields
 * it adds to that result. Never throws.
 */
export type FollowUpRunner<F extends DesktopFollowUp = DesktopFollowUp> = (
  result: unknown,
  params: unknown,
) => DesktopFollowUpResults[F];

export type FollowUpRunners = { [F in DesktopFollowUp]?: FollowUpRunner<F> };

export interface FollowUpMeans {
  /**
   * The remembered passwords; without it there is nothing to clear or replace, and neither
   * `clear-password-vault` nor `replace-remembered-password` runs.
   */
  vault?: PasswordVault | undefined;
  /** The kept storage credentials; without it `keep-storage-credentials` does not run (they live for the session). */
  storageVault?: StorageCredentialVault | undefined;
}

/** The runners main has the means for; a follow-up without its means is skipped, as before it was declared. */
export function followUpRunners(means: FollowUpMeans): FollowUpRunners {
  const { vault, storageVault } = means;
  const runners: FollowUpRunners = {};
  if (vault) {
    runners['clear-password-vault'] = (result) => ({
      keychain: clearVaultAfterEraseAll(vault, result, undefined, storageVault ? [storageVault] : []),
    });
    runners['replace-remembered-password'] = (_result, params) => replaceRememberedAfterChange(vault, params);
  }
  if (storageVault) {
    runners['keep-storage-credentials'] = (result, params) => keepCredentialsAfter(storageVault, params, result);
  }
  if (vault || storageVault) {
    runners['forget-repository-secrets'] = (_result, params) =>
      forgetAfterRemove(params, { password: vault, storageCredentials: storageVault });
  }
  return runners;
}

/** The follow-up the desktop contract declares for `method`, if any. */
export function followUpOf(method: MethodName): DesktopFollowUp | undefined {
  return Object.hasOwn(DESKTOP_FOLLOW_UPS, method)
    ? (DESKTOP_FOLLOW_UPS as { readonly [M in MethodName]?: DesktopFollowUp })[method]
    : undefined;
}

/** Runs the follow-up declared for `method` and returns the result with what it added (or the result as is). */
export function followUp(method: MethodName, result: unknown, runners: FollowUpRunners, params?: unknown): unknown {
  const name = followUpOf(method);
  const run: FollowUpRunner | undefined = name ? runners[name] : undefined;
  if (!run) return result;
  return { ...(result as object), ...run(result, params) };
}
