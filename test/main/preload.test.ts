import { beforeAll, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fake-electron.js'));

import { methodNames } from '../../src/contract/methods.js';
import { contextBridge, ipcRenderer, resetFake } from './fake-electron.js';

type Api = Record<string, (...args: unknown[]) => unknown>;
let api: Api;

describe('preload', () => {
  beforeAll(async () => {
    resetFake();
    await import('../../src/preload/index.js');
    api = contextBridge.exposed.get('cairn') as Api;
  });

  it('exposes exactly one function per contract method, plus onEvent, onShow and the vault functions, as window.cairn', () => {
    expect([...contextBridge.exposed.keys()]).toEqual(['cairn']);
    expect(Object.keys(api).sort()).toEqual(
      [...methodNames, 'onEvent', 'onShow', 'rememberPassword', 'forgetPassword', 'vaultStatus', 'chooseFolder'].sort(),
    );
    for (const value of Object.values(api)) expect(typeof value).toBe('function');
    expect(Object.isFrozen(api)).toBe(true);
  });

  it('calls go over cairn:call and resolve with the result', async () => {
    ipcRenderer.invoke.mockResolvedValueOnce({ ok: true, result: { version: '0.1.0' } });
    await expect(api['app.status']?.({})).resolves.toEqual({ version: '0.1.0' });
    expect(ipcRenderer.invoke).toHaveBeenLastCalledWith('cairn:call', 'app.status', {});
    ipcRenderer.invoke.mockResolvedValueOnce({ ok: true, result: [] });
    await api['repo.list']?.();
    expect(ipcRenderer.invoke).toHaveBeenLastCalledWith('cairn:call', 'repo.list', {});
  });

  it('errors reject with their code and message (a plain object, which survives contextBridge)', async () => {
    ipcRenderer.invoke.mockResolvedValueOnce({
      ok: false,
      error: { code: 'wrong-password', message: 'Wrong password.' },
    });
    await expect(api['repo.unlock']?.({ repositoryId: 'r', password: 'x' })).rejects.toEqual({
      name: 'ContractError',
      code: 'wrong-password',
      message: 'Wrong password.',
    });
    ipcRenderer.invoke.mockResolvedValueOnce('garbage');
    await expect(api['repo.list']?.({})).rejects.toMatchObject({ code: 'internal' });
  });

  it('vault functions go over their own channels and unwrap the reply', async () => {
    ipcRenderer.invoke.mockResolvedValueOnce({ ok: true, result: { id: 'r', unlocked: true } });
    await expect(api.rememberPassword?.('r', 'pw')).resolves.toEqual({ id: 'r', unlocked: true });
    expect(ipcRenderer.invoke).toHaveBeenLastCalledWith('cairn:remember-password', 'r', 'pw');

    ipcRenderer.invoke.mockResolvedValueOnce({ ok: true, result: { ok: true } });
    await expect(api.forgetPassword?.('r')).resolves.toBeUndefined();
    expect(ipcRenderer.invoke).toHaveBeenLastCalledWith('cairn:forget-password', 'r');

    ipcRenderer.invoke.mockResolvedValueOnce({ ok: true, result: { available: true, remembered: ['r'] } });
    await expect(api.vaultStatus?.()).resolves.toEqual({ available: true, remembered: ['r'] });
    expect(ipcRenderer.invoke).toHaveBeenLastCalledWith('cairn:vault-status');

    ipcRenderer.invoke.mockResolvedValueOnce({ ok: false, error: { code: 'wrong-password', message: 'Wrong.' } });
    await expect(api.rememberPassword?.('r', 'bad')).rejects.toEqual({
      name: 'ContractError',
      code: 'wrong-password',
      message: 'Wrong.',
    });
    ipcRenderer.invoke.mockRejectedValueOnce(new Error("No handler registered for 'cairn:vault-status'"));
    await expect(api.vaultStatus?.()).rejects.toMatchObject({ name: 'ContractError', code: 'internal' });
  });

  it('onEvent delivers name and payload (not the IPC event) and unsubscribes', () => {
    const seen: unknown[][] = [];
    const off = api.onEvent?.((name: unknown, payload: unknown) => seen.push([name, payload])) as () => void;
    ipcRenderer.emit('cairn:event', { sender: 'ipc-internals' }, 'task.updated', { id: 't1' });
    expect(seen).toEqual([['task.updated', { id: 't1' }]]);
    off();
    ipcRenderer.emit('cairn:event', {}, 'task.updated', { id: 't2' });
    expect(seen).toHaveLength(1);
    expect(ipcRenderer.listenerCount('cairn:event')).toBe(0);
  });

  it('onShow delivers main’s destinations; one sent before anything listened waits for the first listener', () => {
    const destination = { show: 'unlock', repositoryId: 'nas' };
    // The window was just opened: main sent it before the page subscribed.
    ipcRenderer.emit('cairn:show', {}, { show: 'unlock', repositoryId: 'old' });
    ipcRenderer.emit('cairn:show', {}, destination);
    const first: unknown[] = [];
    const off = api.onShow?.((d: unknown) => first.push(d)) as () => void;
    expect(first).toEqual([destination]);
    // Later ones go to every listener at once; nothing is kept for a later listener.
    const second: unknown[] = [];
    const offSecond = api.onShow?.((d: unknown) => second.push(d)) as () => void;
    expect(second).toEqual([]);
    ipcRenderer.emit('cairn:show', {}, { show: 'unlock', repositoryId: 'usb' });
    expect(first).toHaveLength(2);
    expect(second).toEqual([{ show: 'unlock', repositoryId: 'usb' }]);
    // What is not a destination is dropped.
    ipcRenderer.emit('cairn:show', {}, { show: 'format-disk' });
    ipcRenderer.emit('cairn:show', {}, { show: 'unlock', repositoryId: '' });
    expect(first).toHaveLength(2);
    off();
    offSecond();
    ipcRenderer.emit('cairn:show', {}, destination);
    expect(first).toHaveLength(2);
  });
});
