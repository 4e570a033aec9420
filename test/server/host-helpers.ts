/**
 * Set-up shared by the tests of the app host: a repository made through the contract, the way
 * the first-run screen makes one (password "pw", region "this-device").
 */
import type { EngineHost } from '../../src/app/host/engine-host.js';

/** Creates a repository at `location` with `repo.create`; returns its id. */
export async function createTestRepository(host: EngineHost, location: string): Promise<string> {
  const repo = (await host.handle('repo.create', {
    location,
    password: 'pw',
    label: 'Disk',
    region: 'this-device',
  })) as { id: string };
  return repo.id;
}
