/**
 * Remembered passwords, as the renderer sees them: the desktop app's keychain vault, reached only
 * through the desktop bridge (window.cairn, main answers it itself; passwords never go through the
 * engine contract). The browser version (`cairn serve`) has no bridge, so no vault: `absent`, and
 * no "Remember the password" choice is shown there.
 */
import { useCallback, useEffect, useState } from 'react';
import type { CairnDesktopApi, VaultStatus } from '../../contract/desktop.js';
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

/** The vault's state for a component, with a reload after remembering or forgetting. */
export function useVault(): { view: VaultView | null; reload: () => void } {
  const [view, setView] = useState<VaultView | null>(null);
  const [generation, setGeneration] = useState(0);
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
