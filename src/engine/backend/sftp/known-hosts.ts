/**
 * OpenSSH known_hosts files (sshd(8), "SSH_KNOWN_HOSTS FILE FORMAT"): which host keys belong to
 * which server. Understood: comma-separated host patterns with `*` / `?` wildcards and `!`
 * negation, the `[host]:port` form for a port other than 22, hashed names (`|1|salt|hash`, as
 * `HashKnownHosts yes` writes them), and the `@revoked` marker. `@cert-authority` lines are
 * skipped: Cairn does not accept host certificates, so they vouch for nothing here.
 * Fingerprints are printed as `ssh-keygen -l` prints them: `SHA256:` and unpadded base64.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs/promises';

export interface KnownHostEntry {
  /** `revoked` for an `@revoked` line: that key is refused for every host the line names. */
  marker?: 'revoked';
  /** The host field as written (patterns, or one hashed name). */
  hosts: string;
  keyType: string;
  /** The key in SSH wire format (the base64 field, decoded). */
  key: Buffer;
  file: string;
  line: number;
}

/** The fingerprint OpenSSH shows for a key in wire format: `SHA256:` + unpadded base64 of its SHA-256. */
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** The algorithm named at the start of a key in wire format (e.g. 'ssh-ed25519'), or 'unknown'. */
export function keyAlgorithm(key: Buffer): string {
  if (key.length < 4) return 'unknown';
  const length = key.readUInt32BE(0);
  if (length === 0 || length > 64 || 4 + length > key.length) return 'unknown';
  return key.subarray(4, 4 + length).toString('latin1');
}

/** Parses a known_hosts file's text; lines it cannot read are skipped, as ssh does. */
export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const fields = raw.trim().split(/\s+/);
    if (fields[0] === undefined || fields[0] === '' || fields[0].startsWith('#')) continue;
    let marker: 'revoked' | undefined;
    if (fields[0].startsWith('@')) {
      const name = fields.shift();
      if (name === '@revoked') marker = 'revoked';
      else continue; // @cert-authority, or a marker this code does not know: never a plain key.
    }
    const [hosts, keyType, encoded] = fields;
    if (hosts === undefined || keyType === undefined || encoded === undefined) continue;
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) continue;
    const key = Buffer.from(encoded, 'base64');
    if (keyAlgorithm(key) !== keyType) continue; // damaged, or the type field lies about the key
    entries.push({ ...(marker ? { marker } : {}), hosts, keyType, key, file, line: index + 1 });
  }
  return entries;
}

/** Reads and parses known_hosts files; a missing file holds no keys. */
export async function readKnownHosts(files: readonly string[]): Promise<KnownHostEntry[]> {
  const all: KnownHostEntry[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') continue;
      throw err;
    }
    all.push(...parseKnownHosts(text, file));
  }
  return all;
}

/** The name a host is looked up under: `host` on port 22, `[host]:port` otherwise (as ssh writes it). */
export function lookupName(host: string, port: number): string {
  const lower = host.toLowerCase();
  return port === 22 ? lower : `[${lower}]:${port}`;
}

/** A shell-style pattern (`*`, `?`) matched against the whole name, ignoring case. */
function globMatches(pattern: string, name: string): boolean {
  const source = pattern
    .toLowerCase()
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`).test(name);
}

/** `|1|base64(salt)|base64(HMAC-SHA1(salt, name))`, as HashKnownHosts writes a name. */
function hashedMatches(hashed: string, name: string): boolean {
  const [, version, salt, hash] = hashed.split('|');
  if (version !== '1' || salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** Whether an entry's host field names `host` on `port`. */
export function entryMatchesHost(entry: KnownHostEntry, host: string, port: number): boolean {
  const name = lookupName(host, port);
  if (entry.hosts.startsWith('|')) return hashedMatches(entry.hosts, name);
  let matched = false;
  for (const pattern of entry.hosts.split(',')) {
    if (pattern.startsWith('!')) {
      if (globMatches(pattern.slice(1), name)) return false; // a negated match excludes the host outright
    } else if (globMatches(pattern, name)) {
      matched = true;
    }
  }
  return matched;
}

export type HostKeyCheck =
  | { status: 'known'; entry: KnownHostEntry }
  | { status: 'unknown' }
  | { status: 'changed'; known: KnownHostEntry[] }
  | { status: 'revoked'; entry: KnownHostEntry };

/**
 * Checks the key a server presented against the entries: known (listed for this host), revoked
 * (listed under @revoked, for any host), changed (the host has other keys listed, none this one)
 * or unknown (nothing listed for the host).
 */
export function checkHostKey(
  entries: readonly KnownHostEntry[],
  host: string,
  port: number,
  key: Buffer,
): HostKeyCheck {
  const revoked = entries.find((e) => e.marker === 'revoked' && e.key.equals(key) && entryMatchesHost(e, host, port));
  if (revoked) return { status: 'revoked', entry: revoked };
  const forHost = entries.filter((e) => e.marker === undefined && entryMatchesHost(e, host, port));
  const match = forHost.find((e) => e.key.equals(key));
  if (match) return { status: 'known', entry: match };
  return forHost.length > 0 ? { status: 'changed', known: forHost } : { status: 'unknown' };
}

/** The key types listed for a host, for asking the server for one of those first. */
export function knownKeyTypes(entries: readonly KnownHostEntry[], host: string, port: number): string[] {
  const types = entries.filter((e) => e.marker === undefined && entryMatchesHost(e, host, port)).map((e) => e.keyType);
  return [...new Set(types)];
}
