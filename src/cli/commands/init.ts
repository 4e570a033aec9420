/** `cairn init`: creates an encrypted repository at the given location. */
import { openBackend } from '../../engine/backend/open.js';
import { Repository } from '../../engine/repo/repository.js';
import { type Command, EXIT } from './types.js';

export const initCommand: Command = {
  name: 'init',
  summary: 'create a new encrypted repository',
  usage: 'cairn init --repo LOCATION',
  options: {},
  async run(ctx) {
    const backend = openBackend(ctx.repositoryLocation());
    const password = await ctx.password('Password for the new repository: ', true);
    const repo = await Repository.init(backend, password);
    ctx.print(
      { id: repo.config.id, location: repo.location, keySlot: repo.keySlotId, created: repo.config.created },
      () =>
        `created repository ${repo.config.id.slice(0, 8)} at ${repo.location}\n` +
        'Keep the password safe: without it the backups cannot be read by anyone, including you.',
    );
    await repo.close();
    return EXIT.ok;
  },
};
