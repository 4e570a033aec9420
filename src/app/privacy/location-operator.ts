/**
 * Who operates a storage location, for the recipients of the records of processing (Art. 30(1)(d)):
 * derived from the location alone, so it holds for a locked repository too. A folder is on this
 * computer or a drive the user plugged in; an SFTP server is run by whoever owns it; an S3 bucket
 * by the provider its host name belongs to, when Cairn knows the provider's domain.
 */
import { parseLocation } from '../../engine/backend/location.js';

export type OperatorKind = 'local' | 'sftp' | 's3' | 'unknown';

export interface LocationOperator {
  kind: OperatorKind;
  /** The operator as the records name it. */
  name: string;
}

/** S3 providers by the domain their endpoints end in. */
const S3_PROVIDERS: { domain: string; name: string }[] = [
  { domain: 'amazonaws.com', name: 'Amazon Web Services' },
  { domain: 'backblazeb2.com', name: 'Backblaze' },
  { domain: 'r2.cloudflarestorage.com', name: 'Cloudflare' },
  { domain: 'wasabisys.com', name: 'Wasabi' },
  { domain: 'digitaloceanspaces.com', name: 'DigitalOcean' },
  { domain: 'storage.googleapis.com', name: 'Google Cloud' },
  { domain: 'your-objectstorage.com', name: 'Hetzner' },
  { domain: 'scw.cloud', name: 'Scaleway' },
  { domain: 'io.cloud.ovh.net', name: 'OVHcloud' },
  { domain: 'linodeobjects.com', name: 'Akamai (Linode)' },
  { domain: 'idrivee2.com', name: 'IDrive' },
];

/** The provider whose domain the S3 host belongs to, if Cairn knows it. */
export function s3Provider(host: string): string | null {
  const h = host.toLowerCase().replace(/\.$/, '');
  return S3_PROVIDERS.find((p) => h === p.domain || h.endsWith(`.${p.domain}`))?.name ?? null;
}

export function locationOperator(location: string): LocationOperator {
  let parsed: ReturnType<typeof parseLocation>;
  try {
    parsed = parseLocation(location);
  } catch {
    return { kind: 'unknown', name: `the operator of ${location}` };
  }
  switch (parsed.kind) {
    case 'local':
      return { kind: 'local', name: 'this computer / your drive' };
    case 'sftp':
      return { kind: 'sftp', name: `SFTP server at ${parsed.host} (operator: the server's owner)` };
    case 's3':
      return { kind: 's3', name: s3Provider(parsed.host) ?? `S3-compatible service at ${parsed.host}` };
  }
}
