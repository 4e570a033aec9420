import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import type { CairnDesktopApi } from '../../contract/desktop.js';
import { rememberedState } from '../settings/RememberedPasswords.js';
import { RememberChoice } from './RememberChoice.js';
import { loadVault, passwordChangeNotice, rememberIfAsked, type VaultView, vaultView } from './vault.js';

const BASIC_TEXT_REASON =
  'no system keyring is available (the only storage is plain text), so Cairn asks for the password at start';

function bridge(overrides: Partial<CairnDesktopApi> = {}): Partial<CairnDesktopApi> {
  return {
    vaultStatus: vi.fn(async () => ({ available: true, remembered: ['a'], stale: [] })),
    rememberPassword: vi.fn(async () => ({}) as never),
    forgetPassword: vi.fn(async () => {}),
    ...overrides,
  };
}

const choice = (view: VaultView | null) =>
  renderToStaticMarkup(createElement(RememberChoice, { view, checked: false, onChange: () => {} }));

describe('the vault as the renderer sees it', () => {
  it('is absent in the browser version (no window.cairn): no checkbox at all', async () => {
    expect(await loadVault(undefined)).toEqual({ kind: 'absent' });
    expect(await loadVault({})).toEqual({ kind: 'absent' });
    expect(choice({ kind: 'absent' })).toBe('');
    expect(choice(null)).toBe('');
  });

  it('offers the checkbox where the vault is available', async () => {
    const view = await loadVault(bridge());
    expect(view).toEqual({ kind: 'available', remembered: ['a'], stale: [] });
    expect(choice(view)).toContain('Remember the password on this computer');
    expect(choice(view)).toContain('type="checkbox"');
  });

  it('shows the reason instead where the vault refuses (basic_text)', async () => {
    const view = await loadVault(
      bridge({ vaultStatus: async () => ({ available: false, reason: BASIC_TEXT_REASON, remembered: [] }) }),
    );
    expect(view).toEqual({ kind: 'refused', reason: BASIC_TEXT_REASON, remembered: [], stale: [] });
    const html = choice(view);
    expect(html).not.toContain('checkbox');
    expect(html).toContain('no system keyring is available');
  });

  it('a vault status that fails counts as refused, with its message', async () => {
    const view = await loadVault(
      bridge({
        vaultStatus: async () => {
          throw new Error('Cairn could not read its password vault');
        },
      }),
    );
    expect(view).toMatchObject({ kind: 'refused', reason: 'Cairn could not read its password vault' });
  });

  it('keeps only stale marks of remembered repositories; rows say remembered, stale or not', () => {
    const view = vaultView({ available: true, remembered: ['a', 'b'], stale: ['b', 'gone'] });
    expect(view).toEqual({ kind: 'available', remembered: ['a', 'b'], stale: ['b'] });
    expect(rememberedState(view, 'a')).toBe('remembered');
    expect(rememberedState(view, 'b')).toBe('stale');
    expect(rememberedState(view, 'c')).toBe('not-remembered');
    expect(vaultView({ available: true, remembered: ['a'] })).toEqual({
      kind: 'available',
      remembered: ['a'],
      stale: [],
    });
  });

  it('remembers after first run only when asked, through the bridge, and reports a failure without throwing', async () => {
    const b = bridge();
    expect(await rememberIfAsked(false, 'r', 'pw', b)).toBeNull();
    expect(b.rememberPassword).not.toHaveBeenCalled();
    expect(await rememberIfAsked(true, 'r', 'pw', b)).toBeNull();
    expect(b.rememberPassword).toHaveBeenCalledWith('r', 'pw');
    expect(await rememberIfAsked(true, 'r', 'pw', undefined)).toBeNull();
    const failing = bridge({
      rememberPassword: async () => {
        throw { name: 'ContractError', code: 'io', message: 'the keyring is locked' };
      },
    });
    expect(await rememberIfAsked(true, 'r', 'pw', failing)).toMatch(/could not remember its password/);
  });

  it('after a password change, says what became of the remembered password (nothing in the browser version)', () => {
    const slot = { id: 's1', label: 'password', created: null, current: true, recoveryKey: false, damaged: false };
    const changed = 'The password was changed. The old password no longer opens the repository.';
    expect(passwordChangeNotice(slot)).toEqual({ text: changed, problem: false });
    expect(passwordChangeNotice({ ...slot, rememberedPassword: { replaced: true } })).toEqual({
      text: `${changed} The password remembered on this computer was replaced by the new one.`,
      problem: false,
    });
    const failed = passwordChangeNotice({
      ...slot,
      rememberedPassword: { replaced: false, reason: 'Cairn could not encrypt the password: the keyring is locked.' },
    });
    expect(failed.problem).toBe(true);
    expect(failed.text).toContain('(Cairn could not encrypt the password: the keyring is locked)');
    expect(failed.text).toContain('marked as no longer working');
    // Anything else is not main's answer: the change is told as such.
    expect(passwordChangeNotice({ ...slot, rememberedPassword: 'yes' })).toEqual({ text: changed, problem: false });
  });
});
