/**
 * The notice texts shown when consent is asked for, one per purpose, versioned. The consent
 * ledger records the version and the SHA-256 of the exact text, so what the user agreed to can be
 * proven later. Change a text only together with its version number.
 */
import { sha256Hex } from './files.js';

export const PURPOSES = ['backup', 'usage-statistics'] as const;
export type Purpose = (typeof PURPOSES)[number];

/**
 * Purposes no longer asked for. 'product-news' governed nothing the app showed, so it went; the
 * ledger's old records of it stay readable (history and export), but it has no state any more.
 */
export const RETIRED_PURPOSES = ['product-news'] as const;
export type RetiredPurpose = (typeof RETIRED_PURPOSES)[number];

export interface Notice {
  purpose: Purpose;
  version: number;
  title: string;
  text: string;
  /** Needed to provide the service (backup), as opposed to optional (off until given). */
  required: boolean;
}

const NOTICES: Record<Purpose, Notice> = {
  backup: {
    purpose: 'backup',
    version: 1,
    title: 'Backup of the folders you choose',
    required: true,
    text:
      'Cairn reads the files and folders you choose, encrypts them on this computer with keys that ' +
      'never leave it, and stores them as recovery points in the storage location you name, in the ' +
      'region you declare. Recovery points are kept until your retention policy removes them or you ' +
      'erase them. Withdrawing this stops every scheduled backup; you can then erase what is stored.',
  },
  'usage-statistics': {
    purpose: 'usage-statistics',
    version: 2,
    title: 'Anonymous usage statistics',
    required: false,
    text:
      'If you agree, Cairn counts, per calendar week, how many backups and restores ran and the size ' +
      'of the largest backup, and reports them once a week only as coarse buckets, each deliberately ' +
      'randomised so that no single report shows your real numbers, with the app version (major.minor) ' +
      'and the operating-system family. A report has no identifier and never contains paths, file ' +
      'names, host names or repository IDs. You can see the exact report before anything is sent, and ' +
      'nothing is sent unless a statistics address is set. Withdrawing stops counting at once and ' +
      'deletes everything not yet sent.',
  },
};

export function isPurpose(value: string): value is Purpose {
  return (PURPOSES as readonly string[]).includes(value);
}

/** A purpose the ledger may hold records of: a current one or a retired one. */
export function isRecordedPurpose(value: string): value is Purpose | RetiredPurpose {
  return isPurpose(value) || (RETIRED_PURPOSES as readonly string[]).includes(value);
}

export function noticeFor(purpose: Purpose): Notice & { sha256: string } {
  const notice = NOTICES[purpose];
  return { ...notice, sha256: sha256Hex(notice.text) };
}
