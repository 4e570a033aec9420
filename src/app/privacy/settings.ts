/**
 * The privacy settings file `settings.json`: the user's chosen region (the documented instruction
 * of Art. 44–49), the sub-processors the user lists for the records of processing, and the
 * address usage statistics would be sent to (none by default). Read fresh on every use, written
 * atomically under the lock; every change is an audit-trail entry ('settings.changed').
 */
import path from 'node:path';
import { CairnError } from '../../engine/errors.js';
import type { AuditTrail } from './audit-trail.js';
import { readJsonFile, withFileLock, writeFileAtomic } from './files.js';

export const SETTINGS_FILE = 'settings.json';

export interface SubProcessor {
  name: string;
  /** What they do with the data, e.g. "object storage hosting". */
  role: string;
  region: string;
}

export interface PrivacySettings {
  region: string | null;
  subProcessors: SubProcessor[];
  usageEndpoint: string | null;
}

const DEFAULTS: PrivacySettings = { region: null, subProcessors: [], usageEndpoint: null };

export class PrivacySettingsStore {
  readonly file: string;

  constructor(
    readonly dir: string,
    private readonly audit: AuditTrail,
  ) {
    this.file = path.join(dir, SETTINGS_FILE);
  }

  read(): PrivacySettings {
    const stored = readJsonFile<Partial<PrivacySettings>>(this.file, {});
    return {
      region: typeof stored.region === 'string' ? stored.region : null,
      subProcessors: Array.isArray(stored.subProcessors) ? stored.subProcessors : [],
      usageEndpoint: typeof stored.usageEndpoint === 'string' ? stored.usageEndpoint : null,
    };
  }

  /** Changes some settings; `action` names the audit entry (default 'settings.changed'). */
  update(change: Partial<PrivacySettings>, action = 'settings.changed'): PrivacySettings {
    if (change.usageEndpoint) {
      let url: URL;
      try {
        url = new URL(change.usageEndpoint);
      } catch {
        throw new CairnError('invalid-argument', `"${change.usageEndpoint}" is not a web address`);
      }
      const local = url.hostname === '127.0.0.1' || url.hostname === 'localhost';
      if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) {
        throw new CairnError(
          'invalid-argument',
          'the statistics address must use https (http only on 127.0.0.1 or localhost, for testing)',
        );
      }
      // A name or password in the address would travel with every report.
      if (url.username || url.password) {
        throw new CairnError('invalid-argument', 'the statistics address must not contain a user name or password');
      }
    }
    for (const s of change.subProcessors ?? []) {
      if (!s.name?.trim()) throw new CairnError('invalid-argument', 'every sub-processor needs a name');
    }
    const next = withFileLock(this.dir, 'settings', () => {
      const merged: PrivacySettings = { ...DEFAULTS, ...this.read(), ...change };
      writeFileAtomic(this.file, `${JSON.stringify(merged, null, 2)}\n`);
      return merged;
    });
    this.audit.append(action, { changed: Object.keys(change), ...change });
    return next;
  }
}
