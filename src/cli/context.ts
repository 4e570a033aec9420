/**
 * What every CLI command shares: the global options, opening the repository with its
 * password, and printing results either for people or as one JSON document (--json).
 */
import path from 'node:path';
import { resolveDataDir } from '../app/host/data-dir.js';
import { auditOfOutcome, reapplyTombstones } from '../app/privacy/erasure/service.js';
import { classifyOpenFailure, openIncidentForOpenFailure } from '../app/privacy/incidents.js';
import { openPrivacyRecords } from '../app/privacy/index.js';
import { FrozenPoints } from '../app/privacy/restriction/frozen.js';
import { openBackend } from '../engine/backend/open.js';
import { CairnError } from '../engine/errors.js';
import { Repository } from '../engine/repo/repository.js';
import { readPassword } from './password.js';

export interface GlobalOptions {
  repo?: string;
  passwordFile?: string;
  dataDir?: string;
  json: boolean;
  quiet: boolean;
}

export class CliContext {
  constructor(readonly options: GlobalOptions) {}

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

  password(prompt = 'Repository password: ', confirm = false): Promise<string> {
    return readPassword({ env: 'CAIRN_PASSWORD', file: this.options.passwordFile }, prompt, confirm);
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
   * Opens the repository with its password. Erasure tombstones recorded for it in the app data
   * folder are applied first (an interrupted erasure is finished; an erased path found again in
   * an older copy of the repository is erased again), and that is reported.
   */
  async openRepository(options: { applyTombstones?: boolean } = {}): Promise<Repository> {
    const backend = openBackend(this.repositoryLocation());
    if (!(await backend.exists())) {
      throw new CairnError(
        'no-repository',
        `there is no Cairn repository at ${backend.location} (create one with "cairn init")`,
      );
    }
    const password = await this.password();
    let repo: Repository;
    try {
      repo = await Repository.open(backend, password);
    } catch (err) {
      if (classifyOpenFailure(err)) {
        try {
          const register = openPrivacyRecords(this.appDataDir(), 'cli').incidents;
          openIncidentForOpenFailure(register, { id: null, label: backend.location, location: backend.location }, err);
        } catch (e) {
          this.warn(`could not record the incident: ${(e as Error).message}`);
        }
      }
      throw err;
    }
    // Damaged index files and recovery points do not stop a command; they are named once each.
    repo.onDamage = (message) => this.warn(message);
    if (options.applyTombstones === false) return repo;
    try {
      for (const outcome of await reapplyTombstones(repo, this.appDataDir())) {
        try {
          openPrivacyRecords(this.appDataDir(), 'cli').audit.append('erase.reapplied', {
            repositoryId: repo.config.id,
            ...auditOfOutcome(outcome),
          });
        } catch (e) {
          this.warn(`the audit trail entry erase.reapplied could not be written: ${(e as Error).message}`);
        }
        this.warn(
          `${outcome.path} was erased (request ${outcome.reapplies ?? outcome.requestId}) but ${outcome.rewritten.length > 0 ? `${outcome.rewritten.length} recovery point(s) still held it` : 'that erasure had not finished'}: erased now; receipt ${outcome.receiptFile}`,
        );
      }
    } catch (err) {
      await repo.close();
      if (err instanceof CairnError) {
        throw new CairnError(
          err.code,
          `this repository holds a path that was erased, and erasing it again failed: ${err.message}`,
          { cause: err },
        );
      }
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
