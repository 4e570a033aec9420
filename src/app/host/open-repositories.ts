/**
 * The repositories this app has unlocked: each one's open session, keyed by repository id. The
 * password is never kept, only the session. Handlers reach a repository through `unlocked(id)`,
 * which refuses a locked one and closes a session another program invalidated (repository
 * erased or replaced, password removed); `withBackend` serves the methods that need no key.
 * Every session kept here carries the guard of the frozen points, so its engine refuses a frozen
 * point's contents to every method (src/app/privacy/restriction/guard.ts).
 */
import { ContractError } from '../../contract/errors.js';
import type { Backend } from '../../engine/backend/types.js';
import type { Repository } from '../../engine/repo/repository.js';
import type { Catalog, RepositoryRecord } from '../catalog/catalog.js';
import type { FrozenPoints } from '../privacy/restriction/frozen.js';
import { restrictFrozen } from '../privacy/restriction/guard.js';
import { toContractError } from './errors.js';
import type { Events } from './events.js';

/** Opens a repository's storage with its settings and credentials (RepositoryStorage.backendFor). */
export type BackendOpener = (record: RepositoryRecord) => Backend;

export class OpenRepositories {
  private readonly open = new Map<string, Repository>();

  constructor(
    private readonly catalog: Catalog,
    private readonly events: Events,
    private readonly openStorage: BackendOpener,
    /** The frozen (restricted) points, whose contents no session here may read. */
    private readonly frozen: Pick<FrozenPoints, 'get'>,
  ) {}

  /** The open session of a repository, if it is unlocked (no validity check). */
  get(id: string): Repository | undefined {
    return this.open.get(id);
  }

  has(id: string): boolean {
    return this.open.has(id);
  }

  /** Ids of the unlocked repositories. */
  ids(): string[] {
    return [...this.open.keys()];
  }

  /** Keeps `repo` as the open session of repository `id`, restricted by the frozen points. */
  set(id: string, repo: Repository): void {
    this.open.set(id, restrictFrozen(repo, this.frozen));
  }

  /** Forgets the session of repository `id` without closing it (the caller closes it). */
  delete(id: string): void {
    this.open.delete(id);
  }

  /** The catalog record, or 'not-found'. */
  requireRecord(id: string): RepositoryRecord {
    const record = this.catalog.getRepository(id);
    if (!record) throw new ContractError('not-found', `there is no repository ${id} in this app`);
    return record;
  }

  /** The open repository, or 'locked' when it has not been unlocked with its password. */
  unlocked(id: string): { record: RepositoryRecord; repo: Repository } {
    const record = this.requireRecord(id);
    const repo = this.open.get(id);
    if (!repo) {
      throw new ContractError('locked', `the repository "${record.label}" is locked: unlock it with its password`);
    }
    const invalid = this.dropIfInvalid(id);
    if (invalid) throw toContractError(invalid);
    return { record, repo };
  }

  /**
   * A session that found its repository erased or replaced, or its password removed, by another
   * program or computer is closed: the repository shows as locked until it is unlocked again.
   */
  dropIfInvalid(id: string): Error | undefined {
    const repo = this.open.get(id);
    const invalid = repo?.invalid;
    if (!repo || !invalid) return undefined;
    this.open.delete(id);
    void repo.close().catch(() => undefined);
    this.events.emitStatus();
    return invalid;
  }

  /** Runs `fn` on the repository's backend: the open one, or a fresh one closed afterwards (no key needed). */
  async withBackend<T>(repositoryId: string, fn: (backend: Backend) => Promise<T>): Promise<T> {
    const record = this.requireRecord(repositoryId);
    const open = this.open.get(record.id);
    if (open) return fn(open.backend);
    const backend = this.openStorage(record);
    try {
      return await fn(backend);
    } finally {
      await backend.close();
    }
  }

  /** Closes and forgets every open session (closing the host, erasing everything). */
  async closeAll(): Promise<void> {
    const repos = [...this.open.values()];
    this.open.clear();
    await Promise.allSettled(repos.map((r) => r.close()));
  }
}
