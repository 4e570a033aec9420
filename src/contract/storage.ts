/**
 * The contract's shapes for where a repository is stored: the kind of a location, the settings a
 * remote location needs that are not secret (kept in the catalog, shown in Settings), the
 * credentials that are (held by the engine for the session only; on the desktop main keeps them
 * in the keychain vault), and the answer of "Test connection" — a result the UI words, with a
 * kind per failure rather than an error, because a failure here is an expected answer.
 */
import { z } from 'zod';

/** A folder of this computer or a mounted drive, an SSH server (SFTP), or an S3-compatible bucket. */
export const LocationKind = z.enum(['local', 'sftp', 's3']);

/** OpenSSH's form of a key fingerprint: `SHA256:` and the unpadded base64 of the hash. */
const Fingerprint = z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'a host key fingerprint looks like SHA256:…');
const Path = z.string().trim().min(1).max(4096);

export const SftpSettings = z.object({
  /** A private key file; without it the SSH agent and the usual ~/.ssh keys are tried. */
  identityFile: Path.optional(),
  /** The known-hosts file (default ~/.ssh/known_hosts). */
  knownHostsFile: Path.optional(),
  /** The fingerprint of a new host key the person trusted ("Trust this server"); never overrides a changed key. */
  acceptHostKey: Fingerprint.optional(),
});

export const S3Settings = z.object({
  region: z
    .string()
    .trim()
    .regex(/^[a-z0-9-]{1,64}$/i, 'a region is letters, digits and hyphens, e.g. eu-central-1')
    .optional(),
  /** Path-style addressing (host/bucket/key), as Ceph RGW and MinIO need. */
  pathStyle: z.boolean().optional(),
  storageClass: z
    .string()
    .trim()
    .regex(/^[A-Z0-9_]{1,64}$/, 'a storage class is written in capitals, e.g. STANDARD_IA')
    .optional(),
});

/** Per-repository transfer limits; 0 (or absent) means no limit. */
export const TransferSettings = z.object({
  uploadKiBps: z.number().int().min(0).max(10_000_000).optional(),
  downloadKiBps: z.number().int().min(0).max(10_000_000).optional(),
  connections: z.number().int().min(1).max(64).optional(),
});

/** What a location needs beyond its URL that is not secret: kept in the catalog per repository. */
export const StorageSettings = z.object({
  sftp: SftpSettings.optional(),
  s3: S3Settings.optional(),
  transfer: TransferSettings.optional(),
});

const Secret = z.string().min(1).max(16_384);

/**
 * Secrets of a location. The engine holds them in memory for the session only and never writes,
 * returns, logs or audits them; without S3 keys the standard AWS environment variables are used.
 */
export const StorageCredentials = z.object({
  sftpPassword: Secret.optional(),
  /** The passphrase of the SFTP key file. */
  sftpPassphrase: Secret.optional(),
  s3AccessKeyId: Secret.optional(),
  s3SecretAccessKey: Secret.optional(),
});

/** Which credentials the engine holds for a repository this session (never their values). */
export const CredentialsHeld = z.object({
  sftpPassword: z.boolean(),
  sftpPassphrase: z.boolean(),
  s3AccessKeyId: z.boolean(),
  s3SecretAccessKey: z.boolean(),
});

/** What "Test connection" found wrong, for the UI to word and to decide what to offer. */
export const ConnectionProblem = z.enum([
  'dns',
  'refused',
  'timeout',
  'auth',
  'host-key-unknown',
  'host-key-changed',
  'permission',
  'missing-bucket',
  'invalid-location',
  'other',
]);

/** The SSH host key a test was refused on: trusting an unknown one sets `sftp.acceptHostKey`. */
export const HostKey = z.object({
  host: z.string(),
  port: z.number().int(),
  fingerprint: z.string(),
  algorithm: z.string(),
});

export const LocationTest = z.discriminatedUnion('reachable', [
  z.object({
    reachable: z.literal(true),
    kind: LocationKind,
    /** The location as the app records and shows it. */
    location: z.string(),
    /** A Cairn repository is already there (connect it), or not (create one). */
    repositoryExists: z.boolean(),
    /** The region the storage itself reports (an S3 bucket's location), when it reports one. */
    reportedRegion: z.string().optional(),
  }),
  z.object({
    reachable: z.literal(false),
    problem: ConnectionProblem,
    /** What went wrong and what to do, in plain words. */
    message: z.string(),
    hostKey: HostKey.optional(),
  }),
]);

/** A repository's storage as Settings shows it. */
export const RepositoryStorage = z.object({
  repositoryId: z.string(),
  kind: LocationKind,
  location: z.string(),
  settings: StorageSettings,
  credentialsHeld: CredentialsHeld,
});
