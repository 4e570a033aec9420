/**
 * `cairn init`: creates an encrypted repository at the given location. The location's declared
 * region (--region; default: the chosen region, else this-device for a local folder) is recorded
 * in the privacy records, and a region other than the chosen one is refused unless
 * --allow-region-transfer "reason" gives the explicit instruction (audited).
 */

import { requireRegion } from '../../app/privacy/index.js';
import { openBackend } from '../../engine/backend/open.js';
import { Repository } from '../../engine/repo/repository.js';
import { auditCli, privacyRecords, withRecords } from '../privacy-records.js';
import { type Command, EXIT, str } from './types.js';

export const initCommand: Command = {
  name: 'init',
  summary: 'create a new encrypted repository',
  usage: 'cairn init --repo LOCATION [--region R] [--allow-region-transfer "reason"]',
  options: { region: { type: 'string' }, 'allow-region-transfer': { type: 'string' } },
  async run(ctx, _args, values) {
    const backend = openBackend(ctx.repositoryLocation());
    const records = privacyRecords(ctx);
    const region = requireRegion(str(values, 'region') ?? records.regions.chosen() ?? 'this-device');
    const instruction = str(values, 'allow-region-transfer');
    records.regions.authorize(region, { location: backend.location, operation: 'init' }, instruction);
    const password = await ctx.password('Password for the new repository: ', true);
    const repo = await Repository.init(backend, password);
    withRecords(ctx, 'storage location', (r) => {
      r.regions.record({ location: repo.location, repositoryId: repo.config.id, region, via: 'cli', instruction });
      r.consent.ensureBackupGiven('cli');
    });
    auditCli(ctx, 'repository.created', { repositoryId: repo.config.id, location: repo.location, region });
    ctx.print(
      { id: repo.config.id, location: repo.location, keySlot: repo.keySlotId, created: repo.config.created, region },
      () =>
        `created repository ${repo.config.id.slice(0, 8)} at ${repo.location} (region ${region})\n` +
        'Keep the password safe: without it the backups cannot be read by anyone, including you.',
    );
    await repo.close();
    return EXIT.ok;
  },
};
