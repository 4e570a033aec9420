/**
 * The contract's events: pushed by the engine to every connected UI (IPC or Server-Sent Events).
 */
import { z } from 'zod';
import { AppSettings, AppStatus, Incident, Task } from './schemas.js';

export const events = {
  /** A task was created, made progress, or finished. */
  'task.updated': Task,
  /** Something the status screen shows changed (repository added, unlocked, backup finished…). */
  'app.status': AppStatus,
  /** The app settings changed ('settings.set'); the desktop shell applies them. */
  'settings.updated': AppSettings,
  /** The incident register changed; the payload is every open incident (for a banner). */
  'incidents.changed': z.array(Incident),
} as const;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;
