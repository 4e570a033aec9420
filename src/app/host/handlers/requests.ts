/**
 * The methods of ../../../contract/requests.ts: the requests register (`requests.*`), the
 * controller's details (`controller.*`) and the instruction to store a repository outside the
 * chosen region (`transfers.*`, the repository's place read from the catalog). Each calls the use
 * case the CLI shares (src/app/services/requests.ts, transfers.ts) with the app's records.
 */
import { CairnError } from '../../../engine/errors.js';
import { linkRequest, requestsSummary } from '../../services/requests.js';
import { instructTransfer, type PlacedRepository, revokeTransfer, transferState } from '../../services/transfers.js';
import type { HostServices } from '../host-services.js';
import type { Handlers, Namespace } from './types.js';

export type RequestsDeps = Pick<HostServices, 'dataDir' | 'catalog' | 'privacy' | 'events'>;

type RequestsMethods = Namespace<'requests'> | Namespace<'controller'> | Namespace<'transfers'>;

export function requestsHandlers(deps: RequestsDeps): Handlers<RequestsMethods> {
  const records = deps.privacy.records;
  const placed = (id: string): PlacedRepository => {
    const repo = deps.catalog.getRepository(id);
    if (!repo) throw new CairnError('not-found', `there is no repository ${id} in this app`);
    return { id: repo.id, location: repo.location, region: repo.region };
  };
  const changed = <T>(result: T): T => {
    deps.events.emitStatus();
    return result;
  };
  return {
    'requests.list': async (p) => {
      const requests = records.requests.list({ openOnly: p.openOnly });
      return { requests, summary: requestsSummary(requests) };
    },
    // A change of the register can change the count of overdue requests the Dashboard's verdict shows.
    'requests.add': async (p) => changed(records.requests.add(p)),
    'requests.extend': async (p) => changed(records.requests.extend(p.id, p.reason)),
    'requests.close': async (p) => changed(records.requests.close(p.id, p.status, p.outcome)),
    'requests.link': async (p) => linkRequest(records, deps.dataDir, p.id, p.link),
    'controller.get': async () => records.controller.read(),
    'controller.set': async (p) => records.controller.set(p),
    'transfers.get': async (p) => transferState(records, placed(p.repositoryId)),
    'transfers.instruct': async (p) => instructTransfer(records, placed(p.repositoryId), p.instruction),
    'transfers.revoke': async (p) => revokeTransfer(records, placed(p.repositoryId)),
  };
}
