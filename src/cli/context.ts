/**
 * What every CLI command shares: the global options, the privacy records as the services write
 * them, opening the repository with its password (the shared use case of
 * src/app/services/open-repository.ts, whose warnings it prints), and printing results either
 * for people or as one JSON document (--json).
 */
import path from 'node:path';
import { CairnError } from '../app/errors.js';
import { resolveDataDir } from '../app/host/data-dir.js';
import { openPrivacyRecords, type PrivacyRecords } from '../app/privacy/index.js';
import { FrozenPoints } from '../app/privacy/restriction/frozen.js';
import { restrictFrozen } from '../app/privacy/restriction/guard.js';
import {
  type Backend,
  backendAt,
  type OpenOptions,
  openRepository,
  type Repository,
  type RepositoryRecords,
  reapplyErasures,
} from '../app/services/open-repository.js';
import type { PreparedUnlock } from '../app/services/prepare-unlock.js';
import { type PasswordSpec, readPassword, repositoryPassword } from './password.js';
import { cacheDirFor, describeRetry } from './storage-options.js';

export interface GlobalOptions {
  repo?: string;
  passwordFile?: string;
  passwordCommand?: string;
  dataDir?: string;
  json: boolean;
  quiet: boolean;
  /** How to reach remote storage (storage-options.ts). */
  storage?: OpenOptions;
}

export class CliContext {
  constructor(
    readonly options: GlobalOptions,
    /** The key derivation the CLI started before loading the command (early-unlock.ts). */
    private readonly prepared?: PreparedUnlock,
  ) {}

  get json(): boolean {
    return this.options.json;
  }

  repositoryLocation(): string {
    const location = this.options.repo ?? process.env.CAIRN_REPOSITORY;
    if (!location)
      throw new CairnError('invalid-argument', 'no repository given: use --repo LOCATION or set CAIRN_REPOSITORY');
    return location;
  }

  dataDir(): string | undefined {
    const dir = this.options.dataDir ?? process.env.CAIRN_DATA_DIR;
    return dir ? path.resolve(dir) : undefined;
  }

  /**
   * The storage at the repository's location (or `location`), with the storage options; a remote one caches its
   * small files in the data folder and reports each retry as a warning.
   */
  backend(location = this.repositoryLocation()): Backend {
    return backendAt(location, {
      ...this.options.storage,
      cacheDir: cacheDirFor(this.appDataDir(), location),
      onRetry: (notice) => this.warn(describeRetry(notice)),
    });
  }

  password(prompt = 'Repository password: ', confirm = false): Promise<string> {
    return readPassword(this.passwordSpec(), prompt, confirm);
  }

  /** Where the repository password comes from: the options, then the environment (password.ts). */
  passwordSpec(): PasswordSpec {
    return repositoryPassword({ file: this.options.passwordFile, command: this.options.passwordCommand });
  }

  /** The app data folder (erasure records, frozen recovery points): --data-dir, CAIRN_DATA_DIR or the platform's. */
  appDataDir(): string {
    return resolveDataDir(this.options.dataDir);
  }

  /** The frozen (restricted) recovery points kept in the app data folder. */
  frozen(): FrozenPoints {
    return new FrozenPoints(this.appDataDir());
  }

  /**
   * The privacy records as the repository services write them: opened (actor 'cli') when first
   * needed; a record that cannot be written is a warning, not a failed command.
   */
  records(): RepositoryRecords {
    let opened: PrivacyRecords | undefined;
    return {
      privacy: () => {
        opened ??= openPrivacyRecords(this.appDataDir(), 'cli');
        return opened;
      },
      warn: (message) => this.warn(message),
    };
  }

  /**
   * Opens the repository with its password (or recovery key), asked for once the repository is
   * known to exist. Erasure tombstones recorded for it in the app data folder are applied first
   * (an interrupted erasure is finished; an erased path found again in an older copy of the
   * repository is erased again), and that is reported. The session carries the guard of the
   * frozen points (src/app/privacy/restriction/guard.ts): no command reads a frozen point's files.
   */
  async openRepository(): Promise<Repository> {
    const records = this.records();
    let repo: Repository;
    try {
      repo = await openRepository({
        backend: this.backend(),
        password: () => this.password(),
        records,
        // Damaged index files and recovery points do not stop a command; they are named once each.
        onDamage: (message) => this.warn(message),
        ...(this.prepared ? { prepared: this.prepared } : {}),
      });
      restrictFrozen(repo, this.frozen());
    } catch (err) {
      if (err instanceof CairnError && err.code === 'no-repository') {
        throw new CairnError(err.code, `${err.message} (create one with "cairn init")`, { cause: err });
      }
      throw err;
    }
    try {
      // The CLI shows the path it found (the user sees it now; nothing keeps this text).
      await reapplyErasures(repo, {
        dataDir: this.appDataDir(),
        records,
        onReapplied: (m, o) => this.warn(o.path ? `${o.path}: ${m}` : m),
      });
    } catch (err) {
      await repo.close();
      throw err;
    }
    return repo;
  }

  /** Prints the result: JSON when --json, else the human text (unless --quiet). */
  print(value: unknown, human: () => string): void {
    if (this.options.json) process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    else if (!this.options.quiet) {
      const text = human();
      if (text) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    }
  }

  /** A warning for people (stderr); in JSON mode a JSON line on stderr. */
  warn(message: string): void {
    if (this.options.json) process.stderr.write(`${JSON.stringify({ type: 'warning', message })}\n`);
    else process.stderr.write(`warning: ${message}\n`);
  }
}
