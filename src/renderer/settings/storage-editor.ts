/**
 * The Storage settings of one repository as a form: built from `repo.storageSettings` (the saved
 * settings and which credentials are held, never their values) and turned back into what
 * `repo.setStorageSettings` takes. Credentials are sent only when something secret was typed or
 * the way of signing in changed, so saving transfer limits never drops a held password. Plain
 * functions, tested in storage-editor.test.ts.
 */
import type { Params, Result } from '../../contract/methods.js';
import type { SftpAuth } from '../common/storage-form.js';

export type StoredStorage = Result<'repo.storageSettings'>;
type SetParams = Params<'repo.setStorageSettings'>;

export interface StorageEditor {
  sftpAuth: SftpAuth;
  identityFile: string;
  knownHostsFile: string;
  acceptHostKey: string;
  sftpPassword: string;
  sftpPassphrase: string;
  s3Keys: 'typed' | 'environment';
  s3AccessKeyId: string;
  s3SecretAccessKey: string;
  region: string;
  pathStyle: boolean;
  storageClass: string;
  uploadKiBps: string;
  downloadKiBps: string;
  connections: string;
}

/** How the repository signs in now, as far as the saved settings and held credentials tell. */
function currentAuth(stored: StoredStorage): SftpAuth {
  if (stored.settings.sftp?.identityFile) return 'key';
  if (stored.credentialsHeld.sftpPassword) return 'password';
  return 'agent';
}

export function editorFrom(stored: StoredStorage): StorageEditor {
  const { sftp, s3, transfer } = stored.settings;
  const held = stored.credentialsHeld;
  return {
    sftpAuth: currentAuth(stored),
    identityFile: sftp?.identityFile ?? '',
    knownHostsFile: sftp?.knownHostsFile ?? '',
    acceptHostKey: sftp?.acceptHostKey ?? '',
    sftpPassword: '',
    sftpPassphrase: '',
    s3Keys: stored.kind === 's3' && !held.s3AccessKeyId ? 'environment' : 'typed',
    s3AccessKeyId: '',
    s3SecretAccessKey: '',
    region: s3?.region ?? '',
    pathStyle: s3?.pathStyle ?? true,
    storageClass: s3?.storageClass ?? '',
    uploadKiBps: transfer?.uploadKiBps ? String(transfer.uploadKiBps) : '',
    downloadKiBps: transfer?.downloadKiBps ? String(transfer.downloadKiBps) : '',
    connections: transfer?.connections ? String(transfer.connections) : '',
  };
}

/** A limit field: empty means none; otherwise a whole number, or the reason it is not one. */
function whole(text: string, what: string, min: number, max: number): number | undefined | string {
  const t = text.trim();
  if (t === '') return undefined;
  if (!/^\d+$/.test(t) || Number(t) < min || Number(t) > max) return `${what} is a whole number from ${min} to ${max}.`;
  return Number(t);
}

const LIMITS = [
  ['uploadKiBps', 'The upload limit', 1, 10_000_000],
  ['downloadKiBps', 'The download limit', 1, 10_000_000],
  ['connections', 'The number of connections', 1, 64],
] as const;

/** Why the form cannot be saved, or null. */
export function editorProblem(stored: StoredStorage, e: StorageEditor): string | null {
  for (const [field, what, min, max] of LIMITS) {
    const value = whole(e[field], what, min, max);
    if (typeof value === 'string') return value;
  }
  if (stored.kind === 'sftp') {
    if (e.sftpAuth === 'key' && e.identityFile.trim() === '') return 'Give the key file.';
    if (e.sftpAuth === 'password' && e.sftpPassword === '' && !stored.credentialsHeld.sftpPassword)
      return 'Enter the password for the server.';
  }
  if (stored.kind === 's3' && e.s3Keys === 'typed') {
    const typedOne = e.s3AccessKeyId.trim() !== '' || e.s3SecretAccessKey !== '';
    const typedBoth = e.s3AccessKeyId.trim() !== '' && e.s3SecretAccessKey !== '';
    if (typedOne && !typedBoth) return 'Enter both the access key ID and the secret access key.';
    if (!typedOne && !stored.credentialsHeld.s3AccessKeyId)
      return 'Enter the access key, or take it from the environment.';
  }
  return null;
}

/** What `repo.setStorageSettings` is given for the form (check editorProblem first). */
export function editorParams(stored: StoredStorage, e: StorageEditor): SetParams {
  const transfer: Record<string, number> = {};
  for (const [field, what, min, max] of LIMITS) {
    const value = whole(e[field], what, min, max);
    if (typeof value === 'number') transfer[field] = value;
  }
  const params: SetParams = { repositoryId: stored.repositoryId, storage: { transfer } };
  if (stored.kind === 'sftp') {
    params.storage = {
      transfer,
      sftp: {
        ...(e.sftpAuth === 'key' && e.identityFile.trim() !== '' ? { identityFile: e.identityFile.trim() } : {}),
        ...(e.knownHostsFile.trim() !== '' ? { knownHostsFile: e.knownHostsFile.trim() } : {}),
        ...(e.acceptHostKey !== '' ? { acceptHostKey: e.acceptHostKey } : {}),
      },
    };
    const changedAuth = e.sftpAuth !== currentAuth(stored);
    if (e.sftpAuth === 'password' && e.sftpPassword !== '') params.credentials = { sftpPassword: e.sftpPassword };
    else if (e.sftpAuth === 'key' && e.sftpPassphrase !== '') params.credentials = { sftpPassphrase: e.sftpPassphrase };
    else if (changedAuth) params.credentials = {};
  }
  if (stored.kind === 's3') {
    params.storage = {
      transfer,
      s3: {
        pathStyle: e.pathStyle,
        ...(e.region.trim() !== '' ? { region: e.region.trim() } : {}),
        ...(e.storageClass.trim() !== '' ? { storageClass: e.storageClass.trim() } : {}),
      },
    };
    if (e.s3Keys === 'environment') {
      if (stored.credentialsHeld.s3AccessKeyId || stored.credentialsHeld.s3SecretAccessKey) params.credentials = {};
    } else if (e.s3AccessKeyId.trim() !== '' && e.s3SecretAccessKey !== '') {
      params.credentials = { s3AccessKeyId: e.s3AccessKeyId.trim(), s3SecretAccessKey: e.s3SecretAccessKey };
    }
  }
  return params;
}
