/**
 * The notice texts shown when consent is asked for, one per purpose, versioned. The consent
 * ledger records the version and the SHA-256 of the exact text, so what the user agreed to can be
 * proven later. Change a text only together with its version number.
 */
import { sha256Hex } from './files.js';

export const PURPOSES = ['backup', 'usage-statistics', 'product-news'] as const;
export type Purpose = (typeof PURPOSES)[number];

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
    version: 1,
    title: 'Anonymous usage statistics',
    required: false,
    text:
      'If you agree, Cairn counts how many backups and restores ran, the size of backups in coarse ' +
      'buckets, the app version and the operating-system family. It never records paths, file names, ' +
      'hostnames, IP-derived data or repository IDs. You can see the exact payload before anything ' +
      'is sent, and nothing is sent unless a statistics address is configured. Withdrawing stops ' +
      'counting at once and deletes everything not yet sent.',
  },
  'product-news': {
    purpose: 'product-news',
    version: 1,
    title: 'Product news',
    required: false,
    text:
      'If you agree, Cairn may show news about new versions and features inside the app. No personal ' +
      'data is used for this. You can withdraw at any time.',
  },
};

export function isPurpose(value: string): value is Purpose {
  return (PURPOSES as readonly string[]).includes(value);
}

export function noticeFor(purpose: Purpose): Notice & { sha256: string } {
  const notice = NOTICES[purpose];
  return { ...notice, sha256: sha256Hex(notice.text) };
}
