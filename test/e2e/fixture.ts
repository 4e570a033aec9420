/**
 * One set-up for the browser tests: a temp folder holding a source folder, a repository made with
 * `cairn init` and recovery points made with `cairn backup` (as a user of the command line would
 * have them before opening the app), a real `cairn serve` on a data folder of its own, and, when
 * asked, the repository connected and the source folder added through the contract. `stop` stops
 * the server and removes the folder, also when the set-up itself failed half-way.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  assertPrerequisites,
  backupWithCli,
  callApi,
  initRepository,
  type RunningServer,
  startServe,
} from './serve.js';

/** Files by their path inside the source folder, with their content. */
export type Files = Record<string, string | Uint8Array>;

export interface ServedRepositoryOptions {
  /** Names the temp folder (`cairn-e2e-NAME-…`). */
  name: string;
  /**
   * The password of the repository to make with `cairn init`. Without one no repository is made
   * (the app starts with none), so there is nothing to back up or connect either.
   */
  password?: string;
  /** The source folder's name inside the temp folder (default "Documents"). */
  sourceName?: string;
  /** What the source folder holds from the start. */
  files?: Files;
  /** One `cairn backup` of the source folder per entry, each after writing that entry's files. */
  backups?: Files[];
  /** Runs after the backups, before the server starts: damaging the repository, for instance. */
  beforeServe?: (paths: ServedPaths) => Promise<void>;
  /** Connect the repository through the contract (`repo.connect`) with this name and region. */
  connect?: { label: string; region: string };
  /** Add the source folder to the connected repository (`sources.add`). */
  addSource?: boolean;
}

export interface ServedPaths {
  /** The temp folder that holds everything below. */
  dir: string;
  /** The app's data folder (`cairn serve --data-dir`). */
  dataDir: string;
  /** The repository (made only when a password is given). */
  repoPath: string;
  /** The folder that is backed up. */
  source: string;
}

export class ServedRepository implements ServedPaths {
  readonly dataDir: string;
  readonly repoPath: string;
  readonly source: string;
  private running: RunningServer | undefined;
  private connectedId: string | undefined;
  private addedSourceId: number | undefined;

  private constructor(
    readonly dir: string,
    sourceName: string,
  ) {
    this.dataDir = join(dir, 'data');
    this.repoPath = join(dir, 'repo');
    this.source = join(dir, sourceName);
  }

  /** The running `cairn serve` (after `restart`, the new one). */
  get server(): RunningServer {
    if (!this.running) throw new Error('cairn serve is not running');
    return this.running;
  }

  /** The id of the repository connected by the set-up. */
  get repositoryId(): string {
    if (this.connectedId === undefined) throw new Error('the set-up connected no repository (option `connect`)');
    return this.connectedId;
  }

  /** The id of the source folder added by the set-up. */
  get sourceId(): number {
    if (this.addedSourceId === undefined) throw new Error('the set-up added no source (option `addSource`)');
    return this.addedSourceId;
  }

  /** Sets up as the options say; see ServedRepositoryOptions. */
  static async open(options: ServedRepositoryOptions): Promise<ServedRepository> {
    assertPrerequisites();
    const dir = await mkdtemp(join(tmpdir(), `cairn-e2e-${options.name}-`));
    const served = new ServedRepository(dir, options.sourceName ?? 'Documents');
    try {
      await served.start(options);
      return served;
    } catch (err) {
      // A spec's afterAll never sees a set-up that failed: clean up here.
      await served.stop();
      throw err;
    }
  }

  private async start(options: ServedRepositoryOptions): Promise<void> {
    const { password } = options;
    if (!password && (options.backups?.length || options.connect)) {
      throw new Error('servedRepository: backups and connecting need a repository, hence its password');
    }
    await mkdir(this.source, { recursive: true });
    await writeFiles(this.source, options.files ?? {});
    if (password) initRepository(this.repoPath, password);
    for (const files of options.backups ?? []) {
      await writeFiles(this.source, files);
      backupWithCli(this.repoPath, password as string, [this.source]);
    }
    await options.beforeServe?.(this);
    this.running = await startServe(this.dataDir);
    if (!options.connect) return;
    const repo = await callApi<{ id: string }>(this.running, 'repo.connect', {
      location: this.repoPath,
      password,
      ...options.connect,
    });
    this.connectedId = repo.id;
    if (options.addSource) {
      const added = await callApi<{ id: number }>(this.running, 'sources.add', {
        repositoryId: repo.id,
        path: this.source,
      });
      this.addedSourceId = added.id;
    }
  }

  /** Stops the server and starts it again on the same data folder: the app restarted. */
  async restart(): Promise<RunningServer> {
    await this.running?.stop();
    this.running = undefined;
    this.running = await startServe(this.dataDir);
    return this.running;
  }

  /** Stops the server and removes the temp folder. */
  async stop(): Promise<void> {
    try {
      await this.running?.stop();
      this.running = undefined;
    } finally {
      await rm(this.dir, { recursive: true, force: true });
    }
  }
}

/** Sets up as the options say (see ServedRepositoryOptions); the spec's afterAll calls `stop`. */
export function servedRepository(options: ServedRepositoryOptions): Promise<ServedRepository> {
  return ServedRepository.open(options);
}

async function writeFiles(root: string, files: Files): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    const file = join(root, name);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content);
  }
}
