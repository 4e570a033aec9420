/**
 * The engine host's event stream: contract events (`task.updated`, `app.status`,
 * `incidents.changed`, `settings.updated`) go to every subscriber (the HTTP server's SSE, the
 * desktop shell's IPC relay). A shared service the handler modules are given, so none of them
 * needs the host itself to report a change.
 */
import type { EventName, EventPayload } from '../../contract/events.js';

export type EngineEvent = { [E in EventName]: { name: E; payload: EventPayload<E> } }[EventName];
export type EngineListener = (event: EngineEvent) => void;

export class Events {
  private readonly listeners = new Set<EngineListener>();

  /** `status` builds the `app.status` payload; it is only called when someone listens. */
  constructor(private readonly status: () => EventPayload<'app.status'>) {}

  subscribe(listener: EngineListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: EngineEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // one broken subscriber must not affect the others
      }
    }
  }

  /** Sends `payload` as the event `name` and returns it. */
  publish<E extends EventName>(name: E, payload: EventPayload<E>): EventPayload<E> {
    this.emit({ name, payload } as EngineEvent);
    return payload;
  }

  /** Sends the app's status after something it shows changed (repositories, tasks, last backup). */
  emitStatus(): void {
    if (this.listeners.size > 0) this.emit({ name: 'app.status', payload: this.status() });
  }

  /** Forgets every subscriber (the host is closing). */
  clear(): void {
    this.listeners.clear();
  }
}
