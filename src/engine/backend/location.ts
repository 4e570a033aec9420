/**
 * Parses a repository location as a user types it. A plain path, `~/…` or a `file://` URL is a
 * folder of this computer (or a mounted drive); `sftp://USER@HOST[:PORT]/ABSOLUTE/PATH` is a
 * folder on an SSH server; `s3://HOST[:PORT]/BUCKET[/PREFIX]` is a bucket of an S3-compatible
 * store over HTTPS, `s3+http://…` the same over plain HTTP (test servers on 127.0.0.1). A location
 * is stored in the catalog and shown everywhere, so one carrying a password is refused.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type ParsedLocation =
  | { kind: 'local'; path: string }
  | { kind: 'sftp'; user: string; host: string; port: number; path: string }
  | { kind: 's3'; tls: boolean; host: string; port?: number; bucket: string; prefix: string };

/** A URL scheme of two or more letters; a single letter followed by `:` is a Windows drive. */
const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]+):/;
/** S3 bucket names: 3-63 lower-case letters, digits, dots and hyphens (the common rules of AWS, Ceph and MinIO). */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export class LocationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LocationError';
  }
}

export function parseLocation(location: string): ParsedLocation {
  if (location.trim() === '') throw new LocationError('no storage location was given');
  const scheme = SCHEME.exec(location)?.[1]?.toLowerCase();
  if (scheme === undefined) return { kind: 'local', path: resolvePath(location) };
  if (scheme === 'file') {
    try {
      return { kind: 'local', path: fileURLToPath(location) };
    } catch (err) {
      throw new LocationError(`'${location}' is not a usable file:// location (${(err as Error).message})`);
    }
  }
  if (scheme === 'sftp') return parseSftp(location);
  if (scheme === 's3' || scheme === 's3+http' || scheme === 's3+https') return parseS3(location, scheme !== 's3+http');
  if (scheme === 'memory') throw new LocationError("the storage kind 'memory' exists for tests only");
  throw new LocationError(
    `storage kind '${scheme}' is not supported: use a folder, sftp://USER@HOST/PATH or s3://HOST/BUCKET`,
  );
}

/** The canonical form of a parsed location: what the catalog records and the app shows. */
export function formatLocation(parsed: ParsedLocation): string {
  switch (parsed.kind) {
    case 'local':
      return parsed.path;
    case 'sftp':
      return `sftp://${encodeURIComponent(parsed.user)}@${hostPart(parsed.host)}${parsed.port === 22 ? '' : `:${parsed.port}`}${encodeURI(parsed.path)}`;
    case 's3': {
      const scheme = parsed.tls ? 's3' : 's3+http';
      const port = parsed.port === undefined ? '' : `:${parsed.port}`;
      const prefix = parsed.prefix === '' ? '' : `/${parsed.prefix}`;
      return `${scheme}://${hostPart(parsed.host)}${port}/${parsed.bucket}${prefix}`;
    }
  }
}

function hostPart(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** A `.` or `..` segment, which URL parsing would resolve silently (`/a/../b` becomes `/b`). */
const DOT_SEGMENT = /\/\.{1,2}(\/|$)/;

function parseUrl(location: string): URL {
  const afterScheme = location.replace(SCHEME, '').replace(/^\/\/[^/]*/, '');
  if (DOT_SEGMENT.test(afterScheme.replace(/[?#].*$/, '')))
    throw new LocationError(`'${location}': the path must not contain '.' or '..' segments`);
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    throw new LocationError(`'${location}' is not a valid location URL`);
  }
  if (url.password !== '')
    throw new LocationError(
      'a password must not be part of the location (it would be stored and shown with it): give it separately',
    );
  if (url.search !== '' || url.hash !== '')
    throw new LocationError(`'${url.protocol}//${url.host}${url.pathname}': a location takes no '?' or '#' part`);
  if (url.hostname === '') throw new LocationError(`'${location}' names no server`);
  return url;
}

function unbracket(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

function parseSftp(location: string): ParsedLocation {
  const url = parseUrl(location);
  const user = decodeURIComponent(url.username);
  if (user === '') throw new LocationError(`'${location}': give the user name, as in sftp://USER@HOST/PATH`);
  const pathname = decodeURIComponent(url.pathname);
  if (pathname === '' || pathname === '/')
    throw new LocationError(`'${location}': give the absolute path of the repository folder on the server`);
  const normalized = path.posix.normalize(pathname).replace(/\/+$/, '');
  return {
    kind: 'sftp',
    user,
    host: unbracket(url.hostname),
    port: url.port === '' ? 22 : Number(url.port),
    path: normalized,
  };
}

function parseS3(location: string, tls: boolean): ParsedLocation {
  const url = parseUrl(location.replace(/^s3(\+https?)?:/i, tls ? 'https:' : 'http:'));
  if (url.username !== '')
    throw new LocationError('S3 credentials must not be part of the location: give them separately');
  const parts = decodeURIComponent(url.pathname)
    .split('/')
    .filter((p) => p !== '');
  const bucket = parts.shift();
  if (bucket === undefined) throw new LocationError(`'${location}': give the bucket, as in s3://HOST/BUCKET[/PREFIX]`);
  if (!BUCKET.test(bucket)) throw new LocationError(`'${bucket}' is not a valid S3 bucket name`);
  // A port given equal to the scheme's default is dropped by URL; keep what it means.
  return {
    kind: 's3',
    tls,
    host: unbracket(url.hostname),
    ...(url.port === '' ? {} : { port: Number(url.port) }),
    bucket,
    prefix: parts.join('/'),
  };
}

function resolvePath(location: string): string {
  if (location === '~') return os.homedir();
  if (location.startsWith('~/') || location.startsWith(`~${path.sep}`))
    return path.join(os.homedir(), location.slice(2));
  return path.resolve(location);
}
