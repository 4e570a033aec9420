/**
 * `cairn init`: creates an encrypted repository at the given location. The location's declared
 * region (--region; default: the chosen region, else this-device for a local folder) is recorded
 * in the privacy records, and a region other than the chosen one is refused unless
 * --allow-region-transfer "reason" gives the explicit instruction (audited). The work is the
 * shared use case (src/app/services/create-repository.ts); this parses and prints.
 */

import { createRepository } from '../../app/services/create-repository.js';
import { type Command, EXIT, str } from './types.js';

export const initCommand: Command = {
  name: 'init',
  summary: 'create a new encrypted repository',
  usage: 'cairn init --repo LOCATION [--region R] [--allow-region-transfer "reason"]',
  options: [
    {
      name: 'region',
      value: 'R',
      description: 'the region the location is in (default: the chosen region, else this-device for a local folder)',
    },
    {
      name: 'allow-region-transfer',
      value: 'REASON',
      description: 'allow a region other than the chosen one, for this reason (recorded in the audit trail)',
    },
  ],
  async run(ctx, _args, values) {
    const { repo, region } = await createRepository({
      backend: ctx.backend(),
      password: () => ctx.password('Password for the new repository: ', true),
      region: str(values, 'region'),
      allowRegionTransfer: str(values, 'allow-region-transfer'),
      operation: 'init',
      records: ctx.records(),
    });
    try {
      ctx.print(
        { id: repo.config.id, location: repo.location, keySlot: repo.keySlotId, created: repo.config.created, region },
        () =>
          `created repository ${repo.config.id.slice(0, 8)} at ${repo.location} (region ${region})\n` +
          'Keep the password safe: without it the backups cannot be read by anyone, including you.',
      );
    } finally {
      await repo.close();
    }
    return EXIT.ok;
  },
};
