/**
 * What every CLI command shares: the global options, opening the repository with its
 * password, and printing results either for people or as one JSON document (--json).
 */
import path from 'node:path';
import { resolveDataDir } from '../engine/app/data-dir.js';
import { openBackend } from '../engine/backend/open.js';
import { CairnError } from '../engine/errors.js';
import { classifyOpenFailure, openIncidentForOpenFailure } from '../engine/privacy/incidents.js';
import { openPrivacyRecords } from '../engine/privacy/index.js';
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

  async openRepository(): Promise<Repository> {
    const backend = openBackend(this.repositoryLocation());
    if (!(await backend.exists())) {
      throw new CairnError(
        'no-repository',
        `there is no Cairn repository at ${backend.location} (create one with "cairn init")`,
      );
    }
    const password = await this.password();
    try {
      return await Repository.open(backend, password);
    } catch (err) {
      if (classifyOpenFailure(err)) {
        try {
          const register = openPrivacyRecords(resolveDataDir(this.dataDir()), 'cli').incidents;
          openIncidentForOpenFailure(register, { id: null, label: backend.location, location: backend.location }, err);
        } catch (e) {
          this.warn(`could not record the incident: ${(e as Error).message}`);
        }
      }
      throw err;
    }
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
