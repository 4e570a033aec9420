/** The `tasks.*` methods: the task history, one task, and cancelling a running or queued task. */
import type { HostServices } from '../host-services.js';
import type { Handlers, Namespace } from './types.js';

export function taskHandlers(deps: Pick<HostServices, 'tasks'>): Handlers<Namespace<'tasks'>> {
  const { tasks } = deps;
  return {
    'tasks.list': async (p) => tasks.list(p.limit),
    'tasks.get': async (p) => tasks.get(p.id),
    'tasks.cancel': async (p) => {
      tasks.cancel(p.id);
      return { ok: true as const };
    },
  };
}
