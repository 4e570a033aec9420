/**
 * The CLI's access to the privacy records in `<data dir>/privacy/` (data dir: --data-dir, else
 * CAIRN_DATA_DIR, else the platform default): opened with actor 'cli'. `auditCli` appends an audit
 * entry after an operation; if that fails the operation still happened, so it warns instead of
 * failing the command. `cliRecords` gives the use cases of src/app/services the frozen points and
 * the records (as `CliContext.records()` opens them: the same folder, warnings for what cannot be
 * written).
 */

import { describeError } from '../app/errors.js';
import { resolveDataDir } from '../app/host/data-dir.js';
import type { AuditDetails } from '../app/privacy/audit-trail.js';
import { openPrivacyRecords, type PrivacyRecords } from '../app/privacy/index.js';
import type { FrozenPoints } from '../app/privacy/restriction/frozen.js';
import type { RepositoryRecords } from '../app/services/repository-records.js';
import type { CliContext } from './context.js';

export function privacyRecords(ctx: CliContext): PrivacyRecords {
  return openPrivacyRecords(resolveDataDir(ctx.dataDir()), 'cli');
}

export function auditCli(ctx: CliContext, action: string, details: AuditDetails): void {
  try {
    privacyRecords(ctx).audit.append(action, details);
  } catch (err) {
    ctx.warn(`the audit trail entry ${action} could not be written: ${describeError(err)}`);
  }
}

/** Runs `fn` over the records, warning instead of failing (for hooks after an operation). */
export function withRecords(ctx: CliContext, what: string, fn: (records: PrivacyRecords) => void): void {
  try {
    fn(privacyRecords(ctx));
  } catch (err) {
    ctx.warn(`could not update the privacy records (${what}): ${describeError(err)}`);
  }
}

/** The frozen recovery points and the privacy records of the command line's data folder. */
export function cliRecords(ctx: CliContext): { frozen: FrozenPoints; records: RepositoryRecords } {
  return { frozen: ctx.frozen(), records: ctx.records() };
}
