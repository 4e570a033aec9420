/**
 * What the storage fields hold (a folder, an SFTP server, an S3-compatible bucket) and what is
 * made of them: the location URL, composed as the engine's formatLocation writes it (so the app
 * shows and records the same text the command line takes), the non-secret storage settings, the
 * credentials, and why the fields cannot be used yet. Plain functions, no React, so they are
 * tested on their own (storage-form.test.ts).
 */
import type { Params } from '../../contract/methods.js';

export type StorageKind = 'folder' | 'drive' | 'sftp' | 's3';
/** How Cairn signs in to an SSH server: a key file, the SSH agent (or the usual ~/.ssh keys), or a password. */
export type SftpAuth = 'key' | 'agent' | 'password';

export interface SftpFields {
  host: string;
  port: string;
  user: string;
  path: string;
  auth: SftpAuth;
  identityFile: string;
  passphrase: string;
  password: string;
  knownHostsFile: string;
  /** The fingerprint of a new host key the person trusted ("Trust this server"), or ''. */
  acceptHostKey: string;
}

export interface S3Fields {
  /** HOST or HOST:PORT ([IPv6]:PORT). */
  endpoint: string;
  tls: boolean;
  bucket: string;
  prefix: string;
  region: string;
  pathStyle: boolean;
  /** Keys typed here, or the AWS variables Cairn was started with. */
  keys: 'typed' | 'environment';
  accessKeyId: string;
  secretAccessKey: string;
  storageClass: string;
}

export interface StorageForm {
  kind: StorageKind;
  /** The folder, for 'folder' and 'drive'. */
  folder: string;
  sftp: SftpFields;
  s3: S3Fields;
}

export type StorageSettingsParams = NonNullable<Params<'repo.create'>['storage']>;
export type CredentialsParams = NonNullable<Params<'repo.create'>['credentials']>;

export function initialStorageForm(): StorageForm {
  return {
    kind: 'folder',
    folder: '',
    sftp: {
      host: '',
      port: '22',
      user: '',
      path: '',
      auth: 'agent',
      identityFile: '',
      passphrase: '',
      password: '',
      knownHostsFile: '',
      acceptHostKey: '',
    },
    s3: {
      endpoint: '',
      tls: true,
      bucket: '',
      prefix: '',
      region: '',
      pathStyle: true,
      keys: 'typed',
      accessKeyId: '',
      secretAccessKey: '',
      storageClass: '',
    },
  };
}

/** Under a secret field of saved storage: whether one is held (its value is never shown). */
export function heldHint(held: boolean): string {
  return held ? 'Held for this session; type a new one to replace it.' : 'None held.';
}

export function isRemote(kind: StorageKind): kind is 'sftp' | 's3' {
  return kind === 'sftp' || kind === 's3';
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const HOST = /^(\[[0-9a-fA-F:.]+\]|[^\s/:@[\]]+)$/;

/** An endpoint "host[:port]" split; IPv6 addresses are written in brackets. */
export function splitEndpoint(endpoint: string): { host: string; port: string } {
  const text = endpoint.trim();
  const bracketed = /^(\[[^\]]*\])(?::(\d*))?$/.exec(text);
  if (bracketed) return { host: bracketed[1] ?? '', port: bracketed[2] ?? '' };
  const colon = text.lastIndexOf(':');
  if (colon > 0 && text.indexOf(':') === colon) return { host: text.slice(0, colon), port: text.slice(colon + 1) };
  return { host: text, port: '' };
}

/** A bare IPv6 address goes in brackets in a URL, as formatLocation writes it. */
function hostPart(host: string): string {
  const h = host.trim();
  return h.includes(':') && !h.startsWith('[') ? `[${h}]` : h;
}

function validPort(port: string): boolean {
  return /^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535;
}

/** The path on the server without a trailing slash, as the engine normalizes it. */
function serverPath(path: string): string {
  const trimmed = path.trim().replace(/\/+$/, '');
  return trimmed.replace(/\/{2,}/g, '/');
}

function s3Prefix(prefix: string): string {
  return prefix
    .trim()
    .split('/')
    .filter((p) => p !== '')
    .join('/');
}

/** Why the fields do not make a usable location yet, or null. */
export function locationProblem(form: StorageForm): string | null {
  switch (form.kind) {
    case 'folder':
    case 'drive':
      return form.folder.trim() === '' ? 'Choose where the backups are stored.' : null;
    case 'sftp': {
      const { host, port, user, path } = form.sftp;
      if (host.trim() === '') return 'Give the server’s name or address.';
      if (!HOST.test(hostPart(host))) return 'The server’s name must not contain spaces, “/” or “@”.';
      if (!validPort(port.trim())) return 'The port is a number from 1 to 65535 (SSH uses 22).';
      if (user.trim() === '') return 'Give the user name on the server.';
      if (!serverPath(path).startsWith('/') || serverPath(path) === '')
        return 'Give the folder on the server as an absolute path, such as /srv/backups/cairn.';
      if (serverPath(path).split('/').includes('..')) return 'The folder on the server must not contain “..”.';
      if (form.sftp.auth === 'key' && form.sftp.identityFile.trim() === '') return 'Choose the key file.';
      if (form.sftp.auth === 'password' && form.sftp.password === '') return 'Enter the password for the server.';
      return null;
    }
    case 's3': {
      const { host, port } = splitEndpoint(form.s3.endpoint);
      if (host === '') return 'Give the endpoint: the storage service’s name, and its port if it is not the usual one.';
      if (!HOST.test(host)) return 'The endpoint is a name or address, with an optional :port, and nothing else.';
      if (port !== '' && !validPort(port)) return 'The endpoint’s port is a number from 1 to 65535.';
      if (!BUCKET.test(form.s3.bucket.trim()))
        return 'Give the bucket’s name: 3 to 63 lower-case letters, digits, dots and hyphens.';
      if (
        s3Prefix(form.s3.prefix)
          .split('/')
          .some((p) => p === '.' || p === '..')
      )
        return 'The prefix must not contain “.” or “..”.';
      if (form.s3.keys === 'typed' && (form.s3.accessKeyId.trim() === '' || form.s3.secretAccessKey === ''))
        return 'Enter the access key ID and the secret access key, or take them from the environment.';
      return null;
    }
  }
}

/** A server or a bucket is never on this device: its region must be chosen (the engine refuses it otherwise). */
export function remoteRegionProblem(kind: StorageKind, region: string): string | null {
  return isRemote(kind) && region === 'this-device'
    ? 'Choose the region where the server or bucket is: it is not on this device.'
    : null;
}

/** The location as the engine records it: a folder path, `sftp://USER@HOST[:PORT]/PATH` or `s3[+http]://HOST[:PORT]/BUCKET[/PREFIX]`. */
export function composeLocation(form: StorageForm): string {
  switch (form.kind) {
    case 'folder':
    case 'drive':
      return form.folder.trim();
    case 'sftp': {
      const { host, port, user, path } = form.sftp;
      const p = port.trim();
      const portPart = p === '' || p === '22' ? '' : `:${Number(p)}`;
      return `sftp://${encodeURIComponent(user.trim())}@${hostPart(host)}${portPart}${encodeURI(serverPath(path))}`;
    }
    case 's3': {
      const { host, port } = splitEndpoint(form.s3.endpoint);
      const scheme = form.s3.tls ? 's3' : 's3+http';
      const prefix = s3Prefix(form.s3.prefix);
      return `${scheme}://${hostPart(host)}${port === '' ? '' : `:${Number(port)}`}/${form.s3.bucket.trim()}${prefix === '' ? '' : `/${prefix}`}`;
    }
  }
}

/** The non-secret settings the location needs (none for a folder). */
export function storageSettingsOf(form: StorageForm): StorageSettingsParams | undefined {
  if (form.kind === 'sftp') {
    const { auth, identityFile, knownHostsFile, acceptHostKey } = form.sftp;
    const sftp = {
      ...(auth === 'key' && identityFile.trim() !== '' ? { identityFile: identityFile.trim() } : {}),
      ...(knownHostsFile.trim() !== '' ? { knownHostsFile: knownHostsFile.trim() } : {}),
      ...(acceptHostKey !== '' ? { acceptHostKey } : {}),
    };
    return { sftp };
  }
  if (form.kind === 's3') {
    const { region, pathStyle, storageClass } = form.s3;
    return {
      s3: {
        pathStyle,
        ...(region.trim() !== '' ? { region: region.trim() } : {}),
        ...(storageClass.trim() !== '' ? { storageClass: storageClass.trim() } : {}),
      },
    };
  }
  return undefined;
}

/**
 * The secrets typed for the location (none for a folder). A remote location always gets an
 * object, empty when nothing secret was typed: it replaces whatever was held before.
 */
export function credentialsOf(form: StorageForm): CredentialsParams | undefined {
  if (form.kind === 'sftp') {
    const { auth, password, passphrase } = form.sftp;
    if (auth === 'password') return { sftpPassword: password };
    if (auth === 'key' && passphrase !== '') return { sftpPassphrase: passphrase };
    return {};
  }
  if (form.kind === 's3') {
    const { keys, accessKeyId, secretAccessKey } = form.s3;
    return keys === 'typed' ? { s3AccessKeyId: accessKeyId.trim(), s3SecretAccessKey: secretAccessKey } : {};
  }
  return undefined;
}

/** What `repo.create`, `repo.connect` and `repo.testLocation` are given for these fields. */
export function locationParams(form: StorageForm): {
  location: string;
  storage?: StorageSettingsParams;
  credentials?: CredentialsParams;
} {
  const storage = storageSettingsOf(form);
  const credentials = credentialsOf(form);
  return {
    location: composeLocation(form),
    ...(storage ? { storage } : {}),
    ...(credentials ? { credentials } : {}),
  };
}
