import type { BrowserWindow as ElectronWindow, IpcMain, IpcMainInvokeEvent } from 'electron';
import { beforeEach, describe, expect, it } from 'vitest';
import { CALL_CHANNEL, EVENT_CHANNEL } from '../../src/contract/desktop.js';
import { ContractError } from '../../src/contract/errors.js';
import type { EngineEventListener, EngineLike } from '../../src/main/engine-like.js';
import { registerIpc } from '../../src/main/ipc.js';
import { BrowserWindow, ipcMain, resetFake } from './fake-electron.js';

const APP_URL = 'file:///opt/Cairn/out/renderer/index.html';

class FakeEngine implements EngineLike {
  calls: Array<[string, unknown]> = [];
  listeners = new Set<EngineEventListener>();
  failWith: unknown = null;
  closed = false;
  async handle(method: string, params: unknown): Promise<unknown> {
    this.calls.push([method, params]);
    if (this.failWith) throw this.failWith;
    return { echoed: method };
  }
  subscribe(listener: EngineEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

function setup() {
  resetFake();
  const engine = new FakeEngine();
  const win = new BrowserWindow({});
  const windows = [win];
  const dispose = registerIpc({
    ipcMain: ipcMain as unknown as IpcMain,
    engine,
    appUrl: APP_URL,
    windows: () => windows as unknown as ElectronWindow[],
  });
  const handler = ipcMain.handlers.get(CALL_CHANNEL);
  if (!handler) throw new Error('no handler registered');
  const call = (frame: { url: string; parent: unknown } | null, sender: unknown, method: unknown, params?: unknown) =>
    handler({ senderFrame: frame, sender } as unknown as IpcMainInvokeEvent, method, params);
  const appFrame = { url: `${APP_URL}#/home`, parent: null };
  return { engine, win, windows, dispose, call, appFrame };
}

describe('IPC relay', () => {
  let ctx: ReturnType<typeof setup>;
  beforeEach(() => {
    ctx = setup();
  });

  it('forwards a call from the app frame to the engine and returns the result', async () => {
    const reply = await ctx.call(ctx.appFrame, ctx.win.webContents, 'app.status', {});
    expect(reply).toEqual({ ok: true, result: { echoed: 'app.status' } });
    expect(ctx.engine.calls).toEqual([['app.status', {}]]);
  });

  it('rejects a call from a foreign page without reaching the engine', async () => {
    const reply = await ctx.call({ url: 'https://evil.example/', parent: null }, ctx.win.webContents, 'repo.list', {});
    expect(reply).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect(ctx.engine.calls).toEqual([]);
  });

  it('rejects calls from sub-frames, vanished frames and windows that are not ours', async () => {
    const sub = await ctx.call({ url: APP_URL, parent: {} }, ctx.win.webContents, 'repo.list', {});
    const gone = await ctx.call(null, ctx.win.webContents, 'repo.list', {});
    const stranger = await ctx.call(ctx.appFrame, new BrowserWindow({}).webContents, 'repo.list', {});
    for (const reply of [sub, gone, stranger])
      expect(reply).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect(ctx.engine.calls).toEqual([]);
  });

  it('rejects unknown methods', async () => {
    const reply = await ctx.call(ctx.appFrame, ctx.win.webContents, 'fs.readEverything', {});
    expect(reply).toEqual({
      ok: false,
      error: { code: 'unknown-method', message: 'Unknown method: fs.readEverything.' },
    });
    const notString = await ctx.call(ctx.appFrame, ctx.win.webContents, { toString: () => 'app.status' }, {});
    expect(notString).toMatchObject({ ok: false, error: { code: 'unknown-method' } });
    expect(ctx.engine.calls).toEqual([]);
  });

  it('returns engine failures as { ok: false, error } with their code', async () => {
    ctx.engine.failWith = new ContractError('wrong-password', 'The password is wrong.');
    expect(
      await ctx.call(ctx.appFrame, ctx.win.webContents, 'repo.unlock', { repositoryId: 'r', password: 'x' }),
    ).toEqual({
      ok: false,
      error: { code: 'wrong-password', message: 'The password is wrong.' },
    });
    ctx.engine.failWith = new Error('disk exploded');
    expect(await ctx.call(ctx.appFrame, ctx.win.webContents, 'repo.list', {})).toEqual({
      ok: false,
      error: { code: 'internal', message: 'disk exploded' },
    });
    ctx.engine.failWith = 'a string';
    expect(await ctx.call(ctx.appFrame, ctx.win.webContents, 'repo.list', {})).toMatchObject({
      ok: false,
      error: { code: 'internal' },
    });
  });

  it('sends engine events to every live window and stops after dispose', () => {
    const second = new BrowserWindow({});
    const dead = new BrowserWindow({});
    dead.destroyed = true;
    ctx.windows.push(second, dead);
    for (const listener of ctx.engine.listeners) listener({ name: 'app.status', payload: { runningTasks: 1 } });
    expect(ctx.win.webContents.sent).toEqual([[EVENT_CHANNEL, 'app.status', { runningTasks: 1 }]]);
    expect(second.webContents.sent).toEqual([[EVENT_CHANNEL, 'app.status', { runningTasks: 1 }]]);
    expect(dead.webContents.sent).toEqual([]);

    ctx.dispose();
    expect(ctx.engine.listeners.size).toBe(0);
    expect(ipcMain.handlers.has(CALL_CHANNEL)).toBe(false);
  });
});
