import { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EngineHost } from '../../src/app/host/engine-host.js';
import { ContractError } from '../../src/contract/errors.js';
import { EngineProcessClient, type UtilityProcessLike } from '../../src/main/engine-client.js';
import type { EngineEventListener, EngineLike } from '../../src/main/engine-like.js';
import {
  dataDirArg,
  dataDirFromArgv,
  type ParentPortLike,
  runEngineProcess,
  serveEngine,
} from '../../src/main/engine-protocol.js';
import { toIpcError } from '../../src/main/ipc.js';
import { openEngineHost } from '../support/host.js';
import { FakeUtilityProcess } from './fake-electron.js';

/** `process.parentPort` as seen from the engine: main's messages arrive as `{ data }`, copied. */
class FakePort extends EventEmitter implements ParentPortLike {
  readonly posted: unknown[] = [];
  postMessage(message: unknown): void {
    this.posted.push(structuredClone(message));
  }
  fromMain(data: unknown): void {
    this.emit('message', { data: structuredClone(data) });
  }
}

class FakeEngine implements EngineLike {
  readonly calls: Array<[string, unknown]> = [];
  readonly listeners = new Set<EngineEventListener>();
  results = new Map<string, () => Promise<unknown>>();
  closeError: Error | null = null;
  closed = false;
  handle(method: string, params: unknown): Promise<unknown> {
    this.calls.push([method, params]);
    const result = this.results.get(method);
    return result ? result() : Promise.resolve({ echoed: method });
  }
  subscribe(listener: EngineEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  async close(): Promise<void> {
    if (this.closeError) throw this.closeError;
    this.closed = true;
  }
  emit(name: 'task.updated' | 'app.status', payload: unknown): void {
    for (const listener of this.listeners) listener({ name, payload });
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

function serve() {
  const port = new FakePort();
  const engine = new FakeEngine();
  const exit = vi.fn<(code: number) => void>();
  serveEngine(port, engine, exit);
  return { port, engine, exit };
}

describe('serveEngine (the engine process side)', () => {
  it('says ready, answers a call with its id and result, and forwards events', async () => {
    const { port, engine } = serve();
    expect(port.posted).toEqual([{ type: 'ready' }]);
    port.fromMain({ type: 'call', id: 7, method: 'repo.list', params: { a: 1 } });
    await settle();
    expect(engine.calls).toEqual([['repo.list', { a: 1 }]]);
    expect(port.posted[1]).toEqual({ type: 'reply', id: 7, ok: true, result: { echoed: 'repo.list' } });

    engine.emit('task.updated', { id: 't1', status: 'running' });
    expect(port.posted[2]).toEqual({ type: 'event', name: 'task.updated', payload: { id: 't1', status: 'running' } });
  });

  it('replies to failures with the contract error shape, keeping the code', async () => {
    const { port, engine } = serve();
    engine.results.set('repo.unlock', () => Promise.reject(new ContractError('wrong-password', 'Wrong password.')));
    engine.results.set('repo.list', () => Promise.reject(new Error('disk exploded')));
    port.fromMain({ type: 'call', id: 1, method: 'repo.unlock', params: {} });
    port.fromMain({ type: 'call', id: 2, method: 'repo.list' });
    await settle();
    expect(port.posted.slice(1)).toEqual([
      { type: 'reply', id: 1, ok: false, error: { code: 'wrong-password', message: 'Wrong password.' } },
      { type: 'reply', id: 2, ok: false, error: { code: 'internal', message: 'disk exploded' } },
    ]);
    // a missing params field is sent to the engine as {}
    expect(engine.calls[1]).toEqual(['repo.list', {}]);
  });

  it('answers with an error when a result cannot be copied to main', async () => {
    const { port, engine } = serve();
    engine.results.set('app.status', () => Promise.resolve({ callback: () => 1 }));
    port.fromMain({ type: 'call', id: 3, method: 'app.status', params: {} });
    await settle();
    expect(port.posted[1]).toMatchObject({ type: 'reply', id: 3, ok: false, error: { code: 'internal' } });
  });

  it('ignores messages it does not understand', async () => {
    const { port, engine } = serve();
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    port.fromMain({ type: 'call', id: 'x', method: 'repo.list' });
    port.fromMain('hello');
    port.fromMain({ type: 'launch-missiles' });
    await settle();
    expect(engine.calls).toEqual([]);
    expect(port.posted).toEqual([{ type: 'ready' }]);
    expect(error).toHaveBeenCalledTimes(2);
    error.mockRestore();
  });

  it('on close stops forwarding events, closes the engine, refuses new calls and exits 0', async () => {
    const { port, engine, exit } = serve();
    port.fromMain({ type: 'close' });
    port.fromMain({ type: 'call', id: 4, method: 'repo.list', params: {} });
    await settle();
    expect(engine.closed).toBe(true);
    expect(engine.listeners.size).toBe(0);
    expect(exit).toHaveBeenCalledExactlyOnceWith(0);
    expect(engine.calls).toEqual([]);
    expect(port.posted[1]).toEqual({
      type: 'reply',
      id: 4,
      ok: false,
      error: { code: 'internal', message: 'Cairn is shutting down.' },
    });
  });

  it('reports a failed close as fatal and exits 1', async () => {
    const { port, engine, exit } = serve();
    engine.closeError = new Error('catalog is busy');
    port.fromMain({ type: 'close' });
    await settle();
    expect(port.posted[1]).toEqual({
      type: 'fatal',
      message: 'Cairn’s engine could not close cleanly: catalog is busy',
    });
    expect(exit).toHaveBeenCalledExactlyOnceWith(1);
  });
});

describe('runEngineProcess (start-up of the engine process)', () => {
  it('reads the data folder from argv and serves the engine it opens', () => {
    const port = new FakePort();
    const openEngine = vi.fn((_dir: string) => new FakeEngine());
    const exit = vi.fn();
    runEngineProcess({ port, argv: ['/electron', dataDirArg('/data/Cairn')], openEngine, exit });
    expect(openEngine).toHaveBeenCalledExactlyOnceWith('/data/Cairn');
    expect(port.posted).toEqual([{ type: 'ready' }]);
    expect(exit).not.toHaveBeenCalled();
  });

  it('reports a missing data folder or one that cannot be opened as fatal and exits 1', () => {
    const port = new FakePort();
    const exit = vi.fn();
    runEngineProcess({ port, argv: ['/electron'], openEngine: () => new FakeEngine(), exit });
    runEngineProcess({
      port,
      argv: [dataDirArg('/data/Cairn')],
      openEngine: () => {
        throw new Error('EACCES: permission denied');
      },
      exit,
    });
    expect(port.posted).toEqual([
      { type: 'fatal', message: 'Cairn’s engine was started without a data folder.' },
      { type: 'fatal', message: 'Cairn could not open its data folder: EACCES: permission denied' },
    ]);
    expect(exit.mock.calls).toEqual([[1], [1]]);
  });

  it('parses the data folder argument, paths with spaces and "=" included', () => {
    expect(dataDirFromArgv(['x', dataDirArg('/home/a b/C=1')])).toBe('/home/a b/C=1');
    expect(dataDirFromArgv([dataDirArg('')])).toBeNull();
    expect(dataDirFromArgv([])).toBeNull();
  });
});

describe('client and engine process together (no Electron)', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'cairn-engine-process-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  /** A utilityProcess whose fork runs runEngineProcess in this process, with copied messages both ways. */
  function inProcessUtility(openEngine: (dir: string) => EngineLike): UtilityProcessLike {
    return {
      fork(modulePath, args = [], options = {}) {
        const child = new FakeUtilityProcess(modulePath, args, options);
        const port = new FakePort();
        port.postMessage = (message) => setImmediate(() => child.send(structuredClone(message)));
        child.postMessage = (message) => setImmediate(() => port.fromMain(message));
        let exited = false;
        const exit = (code: number) => {
          if (exited) return;
          exited = true;
          setImmediate(() => child.exitWith(code));
        };
        setImmediate(() => runEngineProcess({ port, argv: ['/electron', ...args], openEngine, exit }));
        return child;
      },
    };
  }

  it('runs a real EngineHost: calls, contract errors and an orderly close', async () => {
    const opened: EngineHost[] = [];
    const client = await EngineProcessClient.start(
      inProcessUtility((dir) => {
        const host = openEngineHost(dir);
        opened.push(host);
        return host;
      }),
      '/out/main/engine-process.js',
      dataDir,
    );
    expect(opened).toHaveLength(1);
    await expect(client.handle('repo.list', {})).resolves.toEqual([]);
    const err = await client.handle('no.such.method', {}).catch((e: unknown) => e);
    expect(toIpcError(err)).toMatchObject({ code: 'unknown-method' });
    const bad = await client.handle('repo.unlock', { repositoryId: 42 }).catch((e: unknown) => e);
    expect(toIpcError(bad)).toMatchObject({ code: 'invalid-request' });
    await client.close();
    await expect(opened[0]?.handle('repo.list', {})).rejects.toThrow('shutting down');
  });

  it('fails to start with the reason the engine process gave', async () => {
    const starting = EngineProcessClient.start(
      inProcessUtility(() => {
        throw new Error('the catalog is from a newer Cairn');
      }),
      '/out/main/engine-process.js',
      dataDir,
      { log: () => {} },
    );
    await expect(starting).rejects.toThrow('Cairn could not open its data folder: the catalog is from a newer Cairn');
  });
});
