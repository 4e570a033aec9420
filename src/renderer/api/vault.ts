/**
 * Remembered passwords, as the renderer sees them: the desktop app's keychain vault, reached only
 * through the desktop bridge (window.cairn, main answers it itself; passwords never go through the
 * engine contract). The browser version (`cairn serve`) has no bridge, so no vault: `absent`, and
 * no "Remember the password" choice is shown there. What main did to the vault after a password
 * change or a removal comes back with that method's result (its desktop follow-up), and every
 * view of the vault reloads then.
 */
import { useCallback, useEffect, useState } from 'react';
import type {
  CairnDesktopApi,
  DesktopFollowUpResults,
  RememberedPasswordUpdate,
  VaultStatus,
} from '../../contract/desktop.js';
import { electronBridge } from './bridge.js';

type VaultBridge = Pick<CairnDesktopApi, 'vaultStatus' | 'rememberPassword' | 'forgetPassword'>;

export type VaultView =
  /** No desktop bridge (browser) or no vault in it: nothing about remembering is shown. */
  | { kind: 'absent' }
  /** The desktop app, but passwords cannot be kept here: the reason is shown instead of the choice. */
  | { kind: 'refused'; reason: string; remembered: string[]; stale: string[] }
  | { kind: 'available'; remembered: string[]; stale: string[] };

/** What the UI shows for a vault status (undefined: no vault). */
export function vaultView(status: VaultStatus | undefined): VaultView {
  if (!status) return { kind: 'absent' };
  const remembered = Array.isArray(status.remembered) ? status.remembered : [];
  const stale = Array.isArray(status.stale) ? status.stale.filter((id) => remembered.includes(id)) : [];
  if (!status.available) {
    return {
      kind: 'refused',
      reason: status.reason ?? 'the system keyring cannot keep passwords here',
      remembered,
      stale,
    };
  }
  return { kind: 'available', remembered, stale };
}

function vaultBridge(bridge: Partial<CairnDesktopApi> | undefined = electronBridge()): VaultBridge | undefined {
  if (!bridge) return undefined;
  const { vaultStatus, rememberPassword, forgetPassword } = bridge;
  if (typeof vaultStatus !== 'function' || typeof rememberPassword !== 'function') return undefined;
  if (typeof forgetPassword !== 'function') return undefined;
  return { vaultStatus, rememberPassword, forgetPassword };
}

/** The vault's state now; a bridge whose vault cannot answer counts as refused, with its message. */
export async function loadVault(bridge: Partial<CairnDesktopApi> | undefined = electronBridge()): Promise<VaultView> {
  const vault = vaultBridge(bridge);
  if (!vault) return { kind: 'absent' };
  try {
    return vaultView(await vault.vaultStatus());
  } catch (failure) {
    return { kind: 'refused', reason: (failure as Error).message, remembered: [], stale: [] };
  }
}

/**
 * Keeps the password of a repository after checking it: main unlocks the repository with it first
 * and keeps it only if that worked (a wrong password rejects, nothing kept).
 */
export async function rememberPassword(
  repositoryId: string,
  password: string,
  bridge: Partial<CairnDesktopApi> | undefined = electronBridge(),
): Promise<void> {
  const vault = vaultBridge(bridge);
  if (!vault) throw new Error('Only the desktop app can remember passwords.');
  await vault.rememberPassword(repositoryId, password);
}

export async function forgetPassword(
  repositoryId: string,
  bridge: Partial<CairnDesktopApi> | undefined = electronBridge(),
): Promise<void> {
  const vault = vaultBridge(bridge);
  if (!vault) throw new Error('Only the desktop app can remember passwords.');
  await vault.forgetPassword(repositoryId);
}

/**
 * After a repository was created, connected or unlocked with `password`: keeps it when the person
 * asked to. Returns a sentence to show when that did not work (the repository is open all the same),
 * or null.
 */
export async function rememberIfAsked(
  asked: boolean,
  repositoryId: string,
  password: string,
  bridge: Partial<CairnDesktopApi> | undefined = electronBridge(),
): Promise<string | null> {
  if (!asked || !vaultBridge(bridge)) return null;
  try {
    await rememberPassword(repositoryId, password, bridge);
    return null;
  } catch (failure) {
    return `The repository is open, but Cairn could not remember its password: ${(failure as Error).message}`;
  }
}

const changeListeners = new Set<() => void>();

/** Main changed the vault behind a method (a password change, a removal): every useVault reloads. */
export function vaultChanged(): void {
  for (const listener of changeListeners) listener();
}

/**
 * What main did with the remembered password after 'keys.changePassword' (the result as the
 * desktop bridge delivers it); undefined when none was remembered, or in the browser version.
 */
export function rememberedPasswordUpdate(result: unknown): RememberedPasswordUpdate | undefined {
  const update = (result as DesktopFollowUpResults['replace-remembered-password'] | null)?.rememberedPassword;
  if (typeof update !== 'object' || update === null || typeof update.replaced !== 'boolean') return undefined;
  return update;
}

/** What to tell after the password changed: the sentence, and whether it is a problem. */
export function passwordChangeNotice(result: unknown): { text: string; problem: boolean } {
  const changed = 'The password was changed. The old password no longer opens the repository.';
  const update = rememberedPasswordUpdate(result);
  if (!update) return { text: changed, problem: false };
  if (update.replaced) {
    return { text: `${changed} The password remembered on this computer was replaced by the new one.`, problem: false };
  }
  return {
    text: `${changed} Cairn could not replace the password remembered on this computer (${update.reason.replace(/\.+$/, '')}), so it is marked as no longer working: remember the new one under Remembered passwords, or forget it there.`,
    problem: true,
  };
}

/** The vault's state for a component, with a reload after remembering or forgetting. */
export function useVault(): { view: VaultView | null; reload: () => void } {
  const [view, setView] = useState<VaultView | null>(null);
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    const listener = () => setGeneration((n) => n + 1);
    changeListeners.add(listener);
    return () => {
      changeListeners.delete(listener);
    };
  }, []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `generation` is the reload trigger.
  useEffect(() => {
    let live = true;
    void loadVault().then((loaded) => {
      if (live) setView(loaded);
    });
    return () => {
      live = false;
    };
  }, [generation]);
  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  return { view, reload };
}
