/**
 * The options that say how to reach remote storage (`sftp://…`, `s3://…`), shared by every
 * command that opens a repository. Secrets never come as options (they would show in the process
 * list and the shell history): an SFTP password or key passphrase comes from CAIRN_SFTP_PASSWORD
 * / CAIRN_SFTP_PASSPHRASE, S3 keys from the standard AWS variables, profiles or ~/.aws.
 * A remote repository's index, snapshot and key files are cached under
 * `<data dir>/cache/<hash of the location>`, which is safe to delete.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { CairnError } from '../app/errors.js';
import type { OpenOptions, RetryNotice } from '../app/services/open-repository.js';
import type { OptionValues } from './commands/types.js';
import type { OptionGroup } from './option-table.js';

/** The rows of the storage options (option-table.ts), shown under their own title in help. */
export const STORAGE_OPTIONS: OptionGroup = {
  title: 'Remote storage options (sftp://USER@HOST[:PORT]/PATH, s3://HOST[:PORT]/BUCKET[/PREFIX], s3+http://…)',
  options: [
    {
      name: 'sftp-identity',
      value: 'FILE',
      description: 'private key to log in with (default: the SSH agent, then ~/.ssh/id_*)',
    },
    {
      name: 'sftp-known-hosts',
      value: 'FILE',
      description: "known-hosts file to check the server's key against (default ~/.ssh/known_hosts)",
    },
    {
      name: 'sftp-accept-host-key',
      value: 'SHA256:…',
      description: 'trust this key for a server not in the known-hosts file',
    },
    {
      name: 's3-region',
      value: 'REGION',
      description: 'the region to sign requests for (default AWS_REGION, else us-east-1)',
    },
    {
      name: 's3-path-style',
      description: 'address the bucket as HOST/BUCKET (Ceph, MinIO; default for an IP or a port)',
    },
    { name: 's3-storage-class', value: 'CLASS', description: 'storage class of data objects (e.g. STANDARD_IA)' },
    { name: 's3-profile', value: 'NAME', description: 'an ~/.aws profile instead of the default credentials' },
    { name: 'limit-upload', value: 'KIB/S', description: 'upload at most this many KiB per second' },
    { name: 'limit-download', value: 'KIB/S', description: 'download at most this many KiB per second' },
    { name: 'connections', value: 'N', description: 'requests in flight at once (default 4)' },
    {
      name: 'retry-for',
      value: 'SECONDS',
      description: 'keep retrying unreachable storage this long before failing (default 300)',
    },
  ],
  note: 'Secrets come from the environment: CAIRN_SFTP_PASSWORD, CAIRN_SFTP_PASSPHRASE, AWS_ACCESS_KEY_ID,\nAWS_SECRET_ACCESS_KEY (or AWS_PROFILE).',
};

function positiveInteger(values: OptionValues, name: string, max: number): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < 1 || n > max) {
    throw Object.assign(new CairnError('invalid-argument', `--${name} must be a whole number from 1 to ${max}`), {
      usage: true,
    });
  }
  return n;
}

function text(values: OptionValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** What the options and the environment say about reaching storage (no cache folder, no retry report). */
export function storageOptions(values: OptionValues, env: NodeJS.ProcessEnv = process.env): OpenOptions {
  const acceptHostKey = text(values, 'sftp-accept-host-key');
  if (acceptHostKey !== undefined && !/^SHA256:[A-Za-z0-9+/]{43}=?$/.test(acceptHostKey)) {
    throw Object.assign(
      new CairnError(
        'invalid-argument',
        '--sftp-accept-host-key takes a fingerprint as OpenSSH prints it: SHA256: and 43 base64 characters',
      ),
      { usage: true },
    );
  }
  const identityFile = text(values, 'sftp-identity');
  const knownHostsFile = text(values, 'sftp-known-hosts');
  const sftp = {
    ...(identityFile ? { identityFile: path.resolve(identityFile) } : {}),
    ...(knownHostsFile ? { knownHostsFile: path.resolve(knownHostsFile) } : {}),
    ...(acceptHostKey ? { acceptHostKey } : {}),
    ...(env.CAIRN_SFTP_PASSWORD ? { password: env.CAIRN_SFTP_PASSWORD } : {}),
    ...(env.CAIRN_SFTP_PASSPHRASE ? { passphrase: env.CAIRN_SFTP_PASSPHRASE } : {}),
  };
  const region = text(values, 's3-region');
  const storageClass = text(values, 's3-storage-class');
  const profile = text(values, 's3-profile');
  const s3 = {
    ...(region ? { region } : {}),
    ...(values['s3-path-style'] === true ? { pathStyle: true } : {}),
    ...(storageClass ? { storageClass } : {}),
    ...(profile ? { profile } : {}),
  };
  const uploadKiBps = positiveInteger(values, 'limit-upload', 10_000_000);
  const downloadKiBps = positiveInteger(values, 'limit-download', 10_000_000);
  const connections = positiveInteger(values, 'connections', 64);
  const retryFor = values['retry-for'] === '0' ? 0 : positiveInteger(values, 'retry-for', 7 * 24 * 3600);
  const transfer = {
    ...(uploadKiBps ? { uploadKiBps } : {}),
    ...(downloadKiBps ? { downloadKiBps } : {}),
    ...(connections ? { connections } : {}),
  };
  return { sftp, s3, transfer, ...(retryFor !== undefined ? { retry: { budgetMs: retryFor * 1000 } } : {}) };
}

/** The cache folder of a remote location: named by a hash, so the folder name reveals nothing. */
export function cacheDirFor(dataDir: string, location: string): string {
  return path.join(dataDir, 'cache', createHash('sha256').update(location).digest('hex').slice(0, 32));
}

/** How a retry is told on the terminal. */
export function describeRetry(notice: RetryNotice): string {
  const reason = notice.error instanceof Error ? notice.error.message : String(notice.error);
  return `${reason}; retrying in ${Math.max(1, Math.round(notice.delayMs / 1000))} s (attempt ${notice.attempt + 1})`;
}
