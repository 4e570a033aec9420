/**
 * What opening a remote location needs beyond its URL: how to authenticate, which host keys to
 * trust, S3 addressing, and transfer limits. Secrets given here (a password, an S3 secret key)
 * are held in memory only: a backend never writes them anywhere, never puts them in
 * `Backend.location` and never quotes them in an error message.
 */

export interface SftpOptions {
  /** A private key file; by default the SSH agent (SSH_AUTH_SOCK) and ~/.ssh/id_ed25519, id_ecdsa, id_rsa are tried. */
  identityFile?: string;
  /** The passphrase of `identityFile`, if it has one. */
  passphrase?: string;
  /** A password for password authentication (e.g. from the app's vault). */
  password?: string;
  /** The known-hosts file to check the server's key against (default ~/.ssh/known_hosts). */
  knownHostsFile?: string;
  /**
   * The fingerprint (`SHA256:…`) of a host key the user accepted for a host not yet in the
   * known-hosts file. It never overrides a known key that differs ('changed' is always refused).
   */
  acceptHostKey?: string;
  /** Connection timeout in milliseconds (default 20 s). */
  timeoutMs?: number;
}

export interface S3Options {
  /** The region to sign for (default: AWS_REGION / AWS_DEFAULT_REGION, else 'us-east-1'). */
  region?: string;
  /** Path-style addressing (`host/bucket/key`) instead of virtual-host style; needed by Ceph RGW and MinIO. Default true for a host with a port or an IP address. */
  pathStyle?: boolean;
  /** Storage class for data objects (e.g. 'STANDARD_IA'); metadata stays in the default class. */
  storageClass?: string;
  /** Credentials; by default the standard AWS chain (environment variables, AWS_PROFILE, ~/.aws). */
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  /** A profile of ~/.aws/credentials to use instead of the default chain. */
  profile?: string;
}

export interface TransferOptions {
  /** Upload limit in KiB/s (undefined or 0: none). */
  uploadKiBps?: number;
  /** Download limit in KiB/s (undefined or 0: none). */
  downloadKiBps?: number;
  /** How many requests may run at once against the storage (default 4 for remote storage). */
  connections?: number;
}

export interface BackendOptions {
  sftp?: SftpOptions;
  s3?: S3Options;
  transfer?: TransferOptions;
}
