import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ContractError } from '../../src/contract/errors.js';
import {
  type EngineExit,
  EngineProcessClient,
  MAX_RESTARTS,
  SERVICE_NAME,
  type UtilityProcessLike,
} from '../../src/main/engine-client.js';
import type { EngineEventLike } from '../../src/main/engine-like.js';
import { dataDirFromArgv } from '../../src/main/engine-protocol.js';
import { toIpcError } from '../../src/main/ipc.js';
import { FakeUtilityProcess, resetFake, utilityProcess } from './fake-electron.js';

const MODULE = '/opt/Cairn/out/main/engine-process.js';
const DATA_DIR = '/home/ada/.config/Cairn';

const fakeUtility = utilityProcess as unknown as UtilityProcessLike;

function child(index: number): FakeUtilityProcess {
  const found = FakeUtilityProcess.instances[index];
  if (!found) throw new Error(`no utility process #${index} was forked`);
  return found;
}

/** Starts a client and lets its first child report ready. */
async function startClient(log: (message: string) => void = () => {}): Promise<EngineProcessClient> {
  const starting = EngineProcessClient.start(fakeUtility, MODULE, DATA_DIR, { log });
  child(0).send({ type: 'ready' });
  return starting;
}

/** The `call` messages posted to a child. */
function calls(proc: FakeUtilityProcess): Array<{ id: number; method: string; params: unknown }> {
  return proc.posted.filter((m) => (m as { type: string }).type === 'call') as Array<{
    id: number;
    method: string;
    params: unknown;
  }>;
}

/** Lets the client's awaits run (start-up checks happen before a call is posted). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('EngineProcessClient', () => {
  beforeEach(() => {
    resetFake();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('forks the engine module with the data folder and resolves once the child is ready', async () => {
    let started = false;
    const starting = EngineProcessClient.start(fakeUtility, MODULE, DATA_DIR).then((client) => {
      started = true;
      return client;
    });
    await settle();
    expect(started).toBe(false);
    expect(utilityProcess.fork).toHaveBeenCalledTimes(1);
    const proc = child(0);
    expect(proc.modulePath).toBe(MODULE);
    expect(dataDirFromArgv(proc.args)).toBe(DATA_DIR);
    expect(proc.options).toEqual({ serviceName: SERVICE_NAME });

    proc.send({ type: 'ready' });
    const client = await starting;
    expect(started).toBe(true);
    expect(client.pid).toBe(proc.pid);
  });

  it('fails to start with the child’s fatal message', async () => {
    const starting = EngineProcessClient.start(fakeUtility, MODULE, DATA_DIR, { log: () => {} });
    child(0).send({ type: 'fatal', message: 'Cairn could not open its data folder: EACCES' });
    await expect(starting).rejects.toThrow('Cairn could not open its data folder: EACCES');
    child(0).exitWith(1);
    expect(utilityProcess.fork).toHaveBeenCalledTimes(1);
  });

  it('fails to start when the child exits before it is ready, and does not restart it', async () => {
    const starting = EngineProcessClient.start(fakeUtility, MODULE, DATA_DIR, { log: () => {} });
    child(0).exitWith(3);
    await expect(starting).rejects.toThrow('The Cairn engine could not start (exit code 3).');
    expect(utilityProcess.fork).toHaveBeenCalledTimes(1);
  });

  it('sends calls with increasing ids and resolves each from its own reply', async () => {
    const client = await startClient();
    const proc = child(0);
    const first = client.handle('repo.list', {});
    const second = client.handle('app.status', { verbose: true });
    await settle();
    const sent = calls(proc);
    expect(sent).toEqual([
      { type: 'call', id: 1, method: 'repo.list', params: {} },
      { type: 'call', id: 2, method: 'app.status', params: { verbose: true } },
    ]);
    // replies may come back in any order
    proc.send({ type: 'reply', id: 2, ok: true, result: { runningTasks: 0 } });
    proc.send({ type: 'reply', id: 1, ok: true, result: [{ id: 'r1' }] });
    await expect(first).resolves.toEqual([{ id: 'r1' }]);
    await expect(second).resolves.toEqual({ runningTasks: 0 });
  });

  it('rejects an error reply with its contract code, which the IPC relay keeps', async () => {
    const client = await startClient();
    const call = client.handle('repo.unlock', { repositoryId: 'r1', password: 'nope' });
    await settle();
    child(0).send({
      type: 'reply',
      id: 1,
      ok: false,
      error: { code: 'wrong-password', message: 'The password is wrong.' },
    });
    const err = await call.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ContractError);
    expect(toIpcError(err)).toEqual({ code: 'wrong-password', message: 'The password is wrong.' });

    const odd = client.handle('repo.list', {});
    await settle();
    child(0).send({ type: 'reply', id: 2, ok: false, error: { code: 'no-such-code', message: 'Strange.' } });
    expect(toIpcError(await odd.catch((e: unknown) => e))).toEqual({ code: 'internal', message: 'Strange.' });
  });

  it('delivers engine events to subscribers until they unsubscribe', async () => {
    const client = await startClient();
    const seen: EngineEventLike[] = [];
    const unsubscribe = client.subscribe((event) => seen.push(event));
    child(0).send({ type: 'event', name: 'task.updated', payload: { id: 't1', status: 'running' } });
    unsubscribe();
    child(0).send({ type: 'event', name: 'app.status', payload: { runningTasks: 0 } });
    expect(seen).toEqual([{ name: 'task.updated', payload: { id: 't1', status: 'running' } }]);
  });

  it('on an unexpected exit rejects calls in flight clearly, tells onExit and restarts the engine once', async () => {
    const logged: string[] = [];
    const client = await startClient((message) => logged.push(message));
    const exits: EngineExit[] = [];
    client.onExit((exit) => exits.push(exit));
    const seen: EngineEventLike[] = [];
    client.subscribe((event) => seen.push(event));

    const inFlight = client.handle('backup.start', { repositoryId: 'r1' });
    await settle();
    child(0).exitWith(134);
    const err = await inFlight.catch((e: unknown) => e);
    expect(toIpcError(err)).toEqual({
      code: 'internal',
      message: 'The Cairn engine stopped unexpectedly (exit code 134).',
    });
    expect(exits).toEqual([
      { code: 134, message: 'The Cairn engine stopped unexpectedly (exit code 134).', willRestart: true },
    ]);
    expect(logged.some((line) => line.includes('Restarting it.'))).toBe(true);

    // The restart: a second fork with the same module and data folder. Calls wait for its ready.
    expect(utilityProcess.fork).toHaveBeenCalledTimes(2);
    const restarted = child(1);
    expect(restarted.modulePath).toBe(MODULE);
    expect(dataDirFromArgv(restarted.args)).toBe(DATA_DIR);
    const waiting = client.handle('repo.list', {});
    await settle();
    expect(calls(restarted)).toEqual([]);
    restarted.send({ type: 'ready' });
    await settle();
    expect(calls(restarted)).toEqual([{ type: 'call', id: 2, method: 'repo.list', params: {} }]);
    restarted.send({ type: 'reply', id: 2, ok: true, result: [] });
    await expect(waiting).resolves.toEqual([]);
    // subscriptions carry over to the restarted engine
    restarted.send({ type: 'event', name: 'app.status', payload: { runningTasks: 0 } });
    expect(seen).toEqual([{ name: 'app.status', payload: { runningTasks: 0 } }]);

    // A second crash (with the fatal message it sent first) is final.
    expect(MAX_RESTARTS).toBe(1);
    const lost = client.handle('repo.list', {});
    await settle();
    restarted.send({ type: 'fatal', message: 'out of memory' });
    restarted.exitWith(1);
    const final = 'The Cairn engine stopped unexpectedly (exit code 1): out of memory.';
    expect(toIpcError(await lost.catch((e: unknown) => e))).toEqual({ code: 'internal', message: final });
    expect(exits[1]).toEqual({ code: 1, message: final, willRestart: false });
    expect(utilityProcess.fork).toHaveBeenCalledTimes(2);
    await expect(client.handle('repo.list', {})).rejects.toThrow(final);
    expect(client.pid).toBeUndefined();
  });

  it('stops for good when the restarted engine cannot start', async () => {
    const client = await startClient();
    const exits: EngineExit[] = [];
    client.onExit((exit) => exits.push(exit));
    child(0).exitWith(9);
    const waiting = client.handle('repo.list', {});
    child(1).send({ type: 'fatal', message: 'Cairn could not open its data folder: disk gone' });
    child(1).exitWith(1);
    await expect(waiting).rejects.toThrow('Cairn could not open its data folder: disk gone');
    expect(exits.map((e) => e.willRestart)).toEqual([true, false]);
    expect(utilityProcess.fork).toHaveBeenCalledTimes(2);
  });

  it('close sends close, resolves when the engine exits, and does not restart it', async () => {
    const client = await startClient();
    const exits: EngineExit[] = [];
    client.onExit((exit) => exits.push(exit));
    let closed = false;
    const closing = client.close().then(() => {
      closed = true;
    });
    expect(child(0).posted).toEqual([{ type: 'close' }]);
    await settle();
    expect(closed).toBe(false);
    child(0).exitWith(0);
    await closing;
    expect(closed).toBe(true);
    expect(exits).toEqual([]);
    expect(utilityProcess.fork).toHaveBeenCalledTimes(1);
    expect(child(0).killed).toBe(false);
    await expect(client.handle('repo.list', {})).rejects.toThrow('Cairn is shutting down.');
    // closing twice is the same close
    await expect(client.close()).resolves.toBeUndefined();
    expect(child(0).posted).toEqual([{ type: 'close' }]);
  });

  it('close kills an engine that has not exited after the timeout', async () => {
    const client = await startClient();
    vi.useFakeTimers();
    const closing = client.close();
    vi.advanceTimersByTime(9_999);
    expect(child(0).killed).toBe(false);
    vi.advanceTimersByTime(1);
    expect(child(0).killed).toBe(true);
    child(0).exitWith(137);
    await expect(closing).resolves.toBeUndefined();
  });

  it('close rejects calls the engine never answered', async () => {
    const client = await startClient();
    const unanswered = client.handle('repo.list', {});
    await settle();
    const closing = client.close();
    child(0).exitWith(0);
    await closing;
    await expect(unanswered).rejects.toThrow('Cairn is shutting down.');
  });
});
