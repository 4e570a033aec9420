/**
 * The app's engine host in tests, one way for every suite: opened on a data folder inside a temp
 * folder of its own, with the cheap key derivation (FAST_KDF: a repository or a key slot in
 * milliseconds instead of the engine's ~0.25 s each) and every result checked against the
 * contract's result schema. Repositories are made, sources added and tasks run through the
 * contract, as the app's screens do; `close` shuts the host and removes the temp folder.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { EngineHost, type EngineHostOptions } from '../../src/app/host/engine-host.js';
import type { Task } from '../../src/app/host/task-manager.js';
import type { MethodName, Params, Result } from '../../src/contract/methods.js';
import { FAST_KDF } from '../engine/helpers.js';

export interface TestHostOptions extends Omit<EngineHostOptions, 'dataDir'> {
  /** The data folder's name inside the temp folder (default "data"). */
  dataFolder?: string;
}

/** An EngineHost on `dataDir` as the tests open one; `options` may override the defaults. */
export function openEngineHost(dataDir: string, options: Omit<EngineHostOptions, 'dataDir'> = {}): EngineHost {
  return EngineHost.open({ kdf: FAST_KDF, validateResults: true, ...options, dataDir });
}

/** A temp folder with an EngineHost open on a data folder inside it. */
export class TestHost {
  private current: EngineHost;
  private currentDataDir: string;

  private constructor(
    /** The temp folder: the data folder, and whatever else the test puts there. */
    readonly tmp: string,
    options: TestHostOptions,
  ) {
    this.currentDataDir = path.join(tmp, options.dataFolder ?? 'data');
    this.current = openEngineHost(this.currentDataDir, hostOptions(options));
  }

  /** Makes a temp folder named after `label` and opens a host in it. */
  static async open(label: string, options: TestHostOptions = {}): Promise<TestHost> {
    const tmp = await fs.mkdtemp(path.join(os.tmpdir(), `cairn-${label}-`));
    try {
      return new TestHost(tmp, options);
    } catch (err) {
      await fs.rm(tmp, { recursive: true, force: true });
      throw err;
    }
  }

  /** The open host (after `reopen`, the new one). */
  get host(): EngineHost {
    return this.current;
  }

  /** The open host's data folder. */
  get dataDir(): string {
    return this.currentDataDir;
  }

  /**
   * Closes the open host and opens another with `options`, on the data folder they name (default:
   * the same one): a restart of the app, or another app data folder.
   */
  async reopen(options: TestHostOptions = {}): Promise<EngineHost> {
    await this.current.close();
    this.currentDataDir = options.dataFolder ? path.join(this.tmp, options.dataFolder) : this.currentDataDir;
    this.current = openEngineHost(this.currentDataDir, hostOptions(options));
    return this.current;
  }

  /** Closes the open host (cancelling its tasks) and removes the temp folder. */
  async close(): Promise<void> {
    try {
      await this.current.close();
    } finally {
      await fs.rm(this.tmp, { recursive: true, force: true });
    }
  }
}

function hostOptions(options: TestHostOptions): Omit<EngineHostOptions, 'dataDir'> {
  const { dataFolder: _, ...rest } = options;
  return rest;
}

/** What `repo.create` is given; unnamed fields as the first-run screen would fill them in a test. */
export interface RepositoryOptions {
  location: string;
  /** Default "pw". */
  password?: string;
  /** Default "Disk". */
  label?: string;
  /** Default "this-device". */
  region?: Params<'repo.create'>['region'];
  allowRegionTransfer?: string;
}

/** Creates a repository through the contract (`repo.create`, which leaves it unlocked). */
export function createRepository(host: EngineHost, options: RepositoryOptions): Promise<Result<'repo.create'>> {
  return host.call('repo.create', { password: 'pw', label: 'Disk', region: 'this-device', ...options });
}

/** A repository made as `createRepository` does, with the folder `source` added to it. */
export async function repositoryWithSource(
  host: EngineHost,
  options: RepositoryOptions & { source: string },
): Promise<{ repositoryId: string; sourceId: number }> {
  const { source, ...repository } = options;
  const repo = await createRepository(host, repository);
  const added = await host.call('sources.add', { repositoryId: repo.id, path: source });
  return { repositoryId: repo.id, sourceId: added.id };
}

/** The contract methods that start a task (they answer with its id). */
export type TaskMethod = {
  [M in MethodName]: Result<M> extends { taskId: string } ? M : never;
}[MethodName];

/** Starts a task through the contract and waits for it to settle: the task, whatever its outcome. */
export async function runTask<M extends TaskMethod>(host: EngineHost, method: M, params: Params<M>): Promise<Task> {
  const { taskId } = (await host.call(method, params)) as { taskId: string };
  return host.tasks.settled(taskId);
}

/** Waits for the task `taskId` and expects it to have succeeded (its error, if any, says why not). */
export async function succeeded(host: EngineHost, taskId: string): Promise<Task> {
  const task = await host.tasks.settled(taskId);
  expect(task.status, task.error ?? '').toBe('succeeded');
  return task;
}

/** A backup of every source of the repository that must succeed: the new recovery point's id. */
export async function backUp(host: EngineHost, repositoryId: string): Promise<string> {
  const { taskId } = await host.call('backup.start', { repositoryId });
  const task = await succeeded(host, taskId);
  return String(task.result?.snapshotId);
}
