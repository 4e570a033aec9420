/**
 * The shape of the engine that Electron's main process talks to: the members of EngineHost
 * (src/app/host/engine-host.ts) that the desktop shell uses. Kept as an interface so the IPC
 * relay, tray and lifecycle can be tested against a fake engine.
 */
import type { EventName } from '../contract/events.js';

export interface EngineEventLike {
  name: EventName;
  payload: unknown;
}

export type EngineEventListener = (event: EngineEventLike) => void;

export interface EngineLike {
  handle(method: string, params: unknown): Promise<unknown>;
  subscribe(listener: EngineEventListener): () => void;
  close(): Promise<void>;
}
