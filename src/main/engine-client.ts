/**
 * The main process's handle on the engine running in an Electron utility process: forks
 * engine-process.js, waits for its `ready`, relays contract calls and events over the protocol
 * in engine-protocol.ts, closes it in order (killing it when it does not exit in time), and when
 * it stops unexpectedly fails the calls in flight, tells `onExit` listeners and restarts it once.
 * Given `auditKey`, every fork is handed the audit trail's key first (engine-protocol.ts).
 */
import type { AuditKeyChoice } from '../app/privacy/audit-key.js';
import { ContractError, ContractErrorCode } from '../contract/errors.js';
import type { EventName } from '../contract/events.js';
import type { EngineEventListener, EngineLike } from './engine-like.js';
import { AUDIT_KEY_FLAG, dataDirArg, type MainToEngine } from './engine-protocol.js';

/** The parts of Electron's UtilityProcess the client uses. */
export interface EngineChildProcess {
  readonly pid?: number | undefined;
  postMessage(message: unknown): void;
  kill(): boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
}

/** Electron's `utilityProcess` module, or a fake of it. */
export interface UtilityProcessLike {
  fork(modulePath: string, args?: string[], options?: { serviceName?: string }): EngineChildProcess;
}

export interface EngineExit {
  code: number;
  /** What went wrong, for a person. */
  message: string;
  /** Whether the client is starting the engine again. */
  willRestart: boolean;
}

export interface EngineClientOptions {
  /** How long close() waits for the engine to exit before killing it. Default 10 s. */
  closeTimeoutMs?: number;
  /** Where restarts and forced shutdowns are reported. Default console.error. */
  log?: (message: string) => void;
  /**
   * The audit trail's key for each engine process about to start (asked again at a restart);
   * without it the engine keeps the key in the data folder.
   */
  auditKey?: () => AuditKeyChoice;
}

export const SERVICE_NAME = 'Cairn engine';
export const CLOSE_TIMEOUT_MS = 10_000;
/** Unexpected exits after which the engine is started again; after that it stays stopped. */
export const MAX_RESTARTS = 1;

interface Pending {
  resolve: (result: unknown) => void;
  reject: (err: Error) => void;
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (err: Error) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** One forked engine process and where it is in its life. */
interface Generation {
  child: EngineChildProcess;
  ready: boolean;
  exited: boolean;
  fatal: string | null;
  startup: Deferred<void>;
  exit: Deferred<number>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function replyError(error: unknown): ContractError {
  const body = isRecord(error) ? error : {};
  const code = ContractErrorCode.safeParse(body.code);
  const message = typeof body.message === 'string' && body.message ? body.message : 'Cairn hit an unexpected error.';
  return new ContractError(code.success ? code.data : 'internal', message);
}

export class EngineProcessClient implements EngineLike {
  private current: Generation;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<EngineEventListener>();
  private readonly exitListeners = new Set<(exit: EngineExit) => void>();
  private nextId = 0;
  private restarts = 0;
  private stopped: ContractError | null = null;
  private closing: Promise<void> | null = null;
  private readonly closeTimeoutMs: number;
  private readonly log: (message: string) => void;
  private readonly auditKey: (() => AuditKeyChoice) | undefined;

  private constructor(
    private readonly utilityProcess: UtilityProcessLike,
    private readonly modulePath: string,
    private readonly dataDir: string,
    options: EngineClientOptions,
  ) {
    this.closeTimeoutMs = options.closeTimeoutMs ?? CLOSE_TIMEOUT_MS;
    this.log = options.log ?? ((message) => console.error(message));
    this.auditKey = options.auditKey;
    this.current = this.fork();
  }

  /** Forks the engine process and resolves once it is ready; rejects with its reason when it fails to start. */
  static async start(
    utilityProcess: UtilityProcessLike,
    modulePath: string,
    dataDir: string,
    options: EngineClientOptions = {},
  ): Promise<EngineProcessClient> {
    const client = new EngineProcessClient(utilityProcess, modulePath, dataDir, options);
    await client.current.startup.promise;
    return client;
  }

  /** The running engine process's id (undefined until it has spawned or after it stopped). */
  get pid(): number | undefined {
    return this.current.exited ? undefined : this.current.child.pid;
  }

  async handle(method: string, params: unknown): Promise<unknown> {
    if (this.closing) throw new ContractError('internal', 'Cairn is shutting down.');
    if (this.stopped) throw this.stopped;
    const generation = this.current;
    await generation.startup.promise;
    if (generation.exited || this.closing) {
      throw this.stopped ?? new ContractError('internal', 'The Cairn engine is restarting; try again in a moment.');
    }
    const id = ++this.nextId;
    return new Promise<unknown>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      try {
        generation.child.postMessage({ type: 'call', id, method, params } satisfies MainToEngine);
      } catch (err) {
        this.pending.delete(id);
        reject(new ContractError('internal', `Cairn could not reach its engine: ${(err as Error).message}`));
      }
    });
  }

  subscribe(listener: EngineEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called whenever the engine process stops without being asked to. */
  onExit(listener: (exit: EngineExit) => void): () => void {
    this.exitListeners.add(listener);
    return () => this.exitListeners.delete(listener);
  }

  /** Asks the engine to close and waits for its process to exit, killing it after the timeout. */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    const generation = this.current;
    if (!generation.exited) {
      const timer = setTimeout(() => {
        this.log(`The Cairn engine did not close within ${this.closeTimeoutMs / 1000} s; stopping it.`);
        generation.child.kill();
      }, this.closeTimeoutMs);
      try {
        generation.child.postMessage({ type: 'close' } satisfies MainToEngine);
      } catch {
        generation.child.kill();
      }
      await generation.exit.promise;
      clearTimeout(timer);
    }
    this.rejectPending(new ContractError('internal', 'Cairn is shutting down.'));
  }

  private fork(): Generation {
    const args = [dataDirArg(this.dataDir), ...(this.auditKey ? [AUDIT_KEY_FLAG] : [])];
    const child = this.utilityProcess.fork(this.modulePath, args, { serviceName: SERVICE_NAME });
    const generation: Generation = {
      child,
      ready: false,
      exited: false,
      fatal: null,
      startup: deferred<void>(),
      exit: deferred<number>(),
    };
    // Callers that never wait for start-up (a restart nobody is calling into) must not leave an
    // unhandled rejection behind; handle() and start() still see the failure.
    generation.startup.promise.catch(() => {});
    child.on('message', (message) => this.onMessage(generation, message));
    child.on('exit', (code) => this.onChildExit(generation, code));
    // The child's port queues it until the engine process listens; the engine opens only after it.
    if (this.auditKey) child.postMessage({ type: 'audit-key', choice: this.auditKey() } satisfies MainToEngine);
    return generation;
  }

  private onMessage(generation: Generation, message: unknown): void {
    if (!isRecord(message)) return;
    switch (message.type) {
      case 'ready':
        generation.ready = true;
        generation.startup.resolve();
        break;
      case 'reply': {
        const id = typeof message.id === 'number' ? message.id : Number.NaN;
        const call = this.pending.get(id);
        if (!call) return;
        this.pending.delete(id);
        if (message.ok === true) call.resolve(message.result);
        else call.reject(replyError(message.error));
        break;
      }
      case 'event':
        this.emit(message.name as EventName, message.payload);
        break;
      case 'fatal': {
        const reason = typeof message.message === 'string' ? message.message : 'unknown error';
        generation.fatal = reason;
        this.log(`The Cairn engine reported a fatal error: ${reason}`);
        if (!generation.ready) generation.startup.reject(new ContractError('internal', reason));
        break;
      }
    }
  }

  private emit(name: EventName, payload: unknown): void {
    for (const listener of [...this.listeners]) {
      try {
        listener({ name, payload });
      } catch (err) {
        this.log(`A Cairn engine event listener failed: ${(err as Error).message}`);
      }
    }
  }

  private onChildExit(generation: Generation, code: number): void {
    if (generation.exited) return;
    generation.exited = true;
    generation.exit.resolve(code);
    if (this.closing) return;

    const detail = generation.fatal ? `: ${generation.fatal}` : '';
    const message = generation.ready
      ? `The Cairn engine stopped unexpectedly (exit code ${code})${detail}.`
      : `The Cairn engine could not start (exit code ${code})${detail}.`;
    const error = new ContractError('internal', message);
    generation.startup.reject(error);
    this.rejectPending(error);

    // Only an engine that was running is restarted: one that cannot start would fail again.
    const willRestart = generation.ready && this.restarts < MAX_RESTARTS;
    if (willRestart) {
      this.restarts += 1;
      this.log(`${message} Restarting it.`);
      this.current = this.fork();
    } else {
      this.stopped = error;
      this.log(`${message} It will not be restarted.`);
    }
    for (const listener of [...this.exitListeners]) {
      try {
        listener({ code, message, willRestart });
      } catch (err) {
        this.log(`A Cairn engine exit listener failed: ${(err as Error).message}`);
      }
    }
  }

  private rejectPending(error: ContractError): void {
    const calls = [...this.pending.values()];
    this.pending.clear();
    for (const call of calls) call.reject(error);
  }
}
