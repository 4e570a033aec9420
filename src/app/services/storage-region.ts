/**
 * Where remote storage says it is. An S3 bucket reports its region (GetBucketLocation): that
 * report is mapped to one of the app's regions and must agree with the region declared for the
 * location, so data cannot land in another jurisdiction because of a typo or a default. A
 * location that reports nothing (a folder, an SFTP server, a Ceph gateway answering "default")
 * keeps its declared region. A remote location is never 'this-device'.
 */
import { parseLocation } from '../../engine/backend/location.js';
import { type Backend, isNotFound } from '../../engine/backend/types.js';
import { CairnError } from '../../engine/errors.js';
import type { RegionName } from '../privacy/regions.js';

/** Provider region codes (AWS and the S3-compatible stores that copy its names) by the app's region. */
const PROVIDER_REGIONS: readonly [RegExp, RegionName][] = [
  [/^eu-west-2$/, 'UK'],
  [/^eu-central-2$/, 'CH'],
  [/^(eu-|europe-)/, 'EU'],
  [/^(us-|us$)/, 'US'],
  [/^ca-/, 'CA'],
  [/^ap-northeast-[13]$/, 'JP'],
  [/^ap-southeast-(2|4)$/, 'AU'],
];

/** The app's region for a provider's region code; 'other' for one outside the list; undefined when it says nothing. */
export function regionOfProvider(reported: string | undefined): RegionName | undefined {
  const code = reported?.trim().toLowerCase();
  if (!code || code === 'default') return undefined;
  // GetBucketLocation answers EU for the old eu-west-1 and nothing for us-east-1.
  if (code === 'eu') return 'EU';
  for (const [pattern, region] of PROVIDER_REGIONS) if (pattern.test(code)) return region;
  return 'other';
}

/** Whether `location` is on another computer (a location that does not parse, like the tests' `memory:`, is not). */
function isRemote(location: string): boolean {
  try {
    return parseLocation(location).kind !== 'local';
  } catch {
    return false;
  }
}

/** What the storage reports; nothing for a bucket not created yet (create() makes it where the client signs). */
async function reportedBy(backend: Backend): Promise<string | undefined> {
  if (!backend.reportedRegion) return undefined;
  try {
    return await backend.reportedRegion();
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * The region to declare for a location at `backend`: the one given, else what the storage
 * reports, else `fallback`. Refuses a declaration the storage contradicts, and 'this-device' for
 * storage on another computer.
 */
export async function declaredRegion(
  backend: Backend,
  location: string,
  given: string | undefined,
  fallback: string,
): Promise<string> {
  const remote = isRemote(location);
  const raw = await reportedBy(backend);
  const reported = regionOfProvider(raw);
  if (given !== undefined && reported !== undefined && given !== reported) {
    throw new CairnError(
      'invalid-argument',
      `${location} reports region ${raw} (${reported}), but it was declared as ${given}: declare the region the storage is in`,
    );
  }
  const region = given ?? reported ?? (remote && fallback === 'this-device' ? undefined : fallback);
  if (region === undefined || (remote && region === 'this-device')) {
    throw new CairnError(
      'invalid-argument',
      `${location} is not on this device: declare the region it is in (CLI: --region, e.g. EU)`,
    );
  }
  return region;
}
