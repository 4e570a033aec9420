/**
 * The `app.*` methods: the app's status (repositories, running tasks, last successful backup)
 * and the power state and machine conditions (idle, metered) the desktop shell reports, which
 * scheduled backups wait on.
 */
import type { HostServices } from '../host-services.js';
import { appStatus } from '../status.js';
import type { Handlers, Namespace } from './types.js';

export type AppDeps = Pick<
  HostServices,
  'version' | 'dataDir' | 'catalog' | 'tasks' | 'repositories' | 'reachability' | 'schedules'
>;

export function appHandlers(deps: AppDeps): Handlers<Namespace<'app'>> {
  return {
    'app.status': async () => appStatus(deps),
    'app.setPower': async (p) => {
      deps.schedules.setPower(p);
      return { ok: true as const };
    },
    'app.setConditions': async (p) => {
      deps.schedules.setConditions(p);
      return { ok: true as const };
    },
  };
}
