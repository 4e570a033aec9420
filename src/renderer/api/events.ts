/**
 * Contract events for the renderer: from the Electron preload (`window.cairn.onEvent`) or from
 * `cairn serve`'s Server-Sent Events stream. Payloads are checked against the contract's schemas;
 * one that does not match is dropped rather than corrupting the screen.
 */
import { type EventName, type EventPayload, events } from '../../contract/events.js';
import { electronBridge } from './bridge.js';

export interface EventHandlers {
  onEvent<E extends EventName>(name: E, payload: EventPayload<E>): void;
  /** The stream broke and is being retried (HTTP only); `false` once it is back. */
  onDisconnected?(disconnected: boolean): void;
}

const eventNames = Object.keys(events) as EventName[];

function deliver(handlers: EventHandlers, name: string, payload: unknown): void {
  if (!Object.hasOwn(events, name)) return;
  const eventName = name as EventName;
  const parsed = events[eventName].safeParse(payload);
  if (parsed.success) handlers.onEvent(eventName, parsed.data);
}

/** Subscribes to every contract event; returns the unsubscribe function. */
export function subscribe(token: string | null, handlers: EventHandlers): () => void {
  const bridge = electronBridge();
  if (bridge) return bridge.onEvent((name, payload) => deliver(handlers, name, payload));

  const query = token ? `?token=${encodeURIComponent(token)}` : '';
  const source = new EventSource(`/api/events${query}`);
  for (const name of eventNames) {
    source.addEventListener(name, (message: MessageEvent<string>) => {
      try {
        deliver(handlers, name, JSON.parse(message.data));
      } catch {
        // Not JSON: not an event of the contract.
      }
    });
  }
  source.onopen = () => handlers.onDisconnected?.(false);
  source.onerror = () => handlers.onDisconnected?.(true);
  return () => source.close();
}
