/**
 * The message protocol between Electron's main process and the engine's utility process, and the
 * utility-process side of it. Main sends `call` (answered by one `reply` with the same id) and
 * `close`; the engine process sends `ready` once the engine is open, `event` for every engine
 * event and `fatal` just before it exits on an error it cannot recover from. Errors cross as
 * `{ code, message }` (the contract's error shape, mapped by ipc.ts's `toIpcError`). When argv
 * carries AUDIT_KEY_FLAG, main's first message is `audit-key` (the audit trail's key from the OS
 * keychain, or why not: audit-keychain.ts) and the engine opens only after it, so no audit entry
 * is ever written under another key; the key goes by message, never argv, which others can read.
 */
import { type AuditKeyChoice, parseAuditKeyChoice } from '../app/privacy/audit-key.js';
import type { DesktopError } from '../contract/desktop.js';
import type { EventName } from '../contract/events.js';
import type { EngineLike } from './engine-like.js';
import { toIpcError } from './ipc.js';

export type MainToEngine =
  | { type: 'call'; id: number; method: string; params: unknown }
  | { type: 'close' }
  | { type: 'audit-key'; choice: AuditKeyChoice };

export type EngineToMain =
  | { type: 'ready' }
  | { type: 'reply'; id: number; ok: true; result: unknown }
  | { type: 'reply'; id: number; ok: false; error: DesktopError }
  | { type: 'event'; name: EventName; payload: unknown }
  | { type: 'fatal'; message: string };

/** Electron's `process.parentPort` as the engine process uses it: messages arrive as `{ data }`. */
export interface ParentPortLike {
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  postMessage(message: unknown): void;
}

/** The argument main passes to the engine process to name the data folder. */
export const DATA_DIR_FLAG = '--cairn-data-dir=';

export function dataDirArg(dataDir: string): string {
  return `${DATA_DIR_FLAG}${dataDir}`;
}

/** Tells the engine process to wait for main's `audit-key` message before it opens the engine. */
export const AUDIT_KEY_FLAG = '--cairn-audit-key-from-main';

/** The data folder named in the engine process's argv, or null when it is missing or empty. */
export function dataDirFromArgv(argv: readonly string[]): string | null {
  const arg = argv.find((a) => a.startsWith(DATA_DIR_FLAG));
  const dir = arg?.slice(DATA_DIR_FLAG.length);
  return dir ? dir : null;
}

function messageOf(err: unknown): string {
  if (err instanceof Error && err.message) return err.message;
  if (typeof err === 'string' && err) return err;
  return 'Cairn’s engine hit an unexpected error.';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Sends `fatal` (best effort: the port may already be gone), then exits with code 1. */
export function reportFatal(port: ParentPortLike, err: unknown, exit: (code: number) => void): void {
  try {
    port.postMessage({ type: 'fatal', message: messageOf(err) } satisfies EngineToMain);
  } catch {
    // nothing more can be told to main; the exit code still says it failed
  }
  exit(1);
}

/**
 * Answers main's messages on `port` with `engine`: replies to calls, forwards events, and on
 * `close` closes the engine and exits 0 (1, after a `fatal`, when closing fails). Sends `ready`
 * once it listens.
 */
export function serveEngine(port: ParentPortLike, engine: EngineLike, exit: (code: number) => void): void {
  let closing = false;

  const post = (message: EngineToMain): void => port.postMessage(message);

  const reply = (id: number, outcome: { ok: true; result: unknown } | { ok: false; error: DesktopError }): void => {
    try {
      post({ type: 'reply', id, ...outcome });
    } catch (err) {
      // a result that cannot be copied to main (structured clone) still gets an answer
      post({ type: 'reply', id, ok: false, error: toIpcError(err) });
    }
  };

  const unsubscribe = engine.subscribe((event) => {
    try {
      post({ type: 'event', name: event.name, payload: event.payload });
    } catch (err) {
      console.error(`Cairn’s engine could not forward a ${event.name} event: ${messageOf(err)}`);
    }
  });

  function onCall(id: number, method: string, params: unknown): void {
    if (closing) {
      reply(id, { ok: false, error: { code: 'internal', message: 'Cairn is shutting down.' } });
      return;
    }
    engine.handle(method, params).then(
      (result) => reply(id, { ok: true, result }),
      (err: unknown) => reply(id, { ok: false, error: toIpcError(err) }),
    );
  }

  function onClose(): void {
    if (closing) return;
    closing = true;
    unsubscribe();
    engine.close().then(
      () => exit(0),
      (err: unknown) => reportFatal(port, new Error(`Cairn’s engine could not close cleanly: ${messageOf(err)}`), exit),
    );
  }

  port.on('message', ({ data }) => {
    if (!isRecord(data)) return;
    if (data.type === 'call' && typeof data.id === 'number' && typeof data.method === 'string') {
      onCall(data.id, data.method, data.params ?? {});
    } else if (data.type === 'close') {
      onClose();
    } else {
      console.error(`Cairn’s engine ignored a message it does not understand: ${String(data.type)}`);
    }
  });

  post({ type: 'ready' });
}

export interface EngineProcessOptions {
  port: ParentPortLike;
  argv: readonly string[];
  /** Opens the engine on the data folder (EngineHost.open in the real process), keyed as main chose. */
  openEngine: (dataDir: string, auditKey?: AuditKeyChoice) => EngineLike;
  exit: (code: number) => void;
}

/** The engine process's start-up: opens the engine named by argv and serves it, or reports why not. */
export function runEngineProcess(options: EngineProcessOptions): void {
  const { port, argv, openEngine, exit } = options;
  const dataDir = dataDirFromArgv(argv);
  if (!dataDir) {
    reportFatal(port, new Error('Cairn’s engine was started without a data folder.'), exit);
    return;
  }
  const open = (auditKey?: AuditKeyChoice): void => {
    let engine: EngineLike;
    try {
      engine = auditKey ? openEngine(dataDir, auditKey) : openEngine(dataDir);
    } catch (err) {
      reportFatal(port, new Error(`Cairn could not open its data folder: ${messageOf(err)}`), exit);
      return;
    }
    serveEngine(port, engine, exit);
  };
  if (!argv.includes(AUDIT_KEY_FLAG)) {
    open();
    return;
  }
  let started = false;
  port.on('message', ({ data }) => {
    if (started || !isRecord(data)) return;
    started = true;
    if (data.type === 'close') {
      exit(0);
      return;
    }
    const choice = data.type === 'audit-key' ? parseAuditKeyChoice(data.choice) : undefined;
    if (!choice) {
      reportFatal(port, new Error('Cairn’s engine did not receive the audit trail’s key it waits for.'), exit);
      return;
    }
    open(choice);
  });
}
