/**
 * Region pinning (GDPR Art. 44–49). Every storage location records a declared region in
 * `locations.json` (this record survives the catalog, which is a cache). The user's chosen region
 * (settings) is the documented instruction: putting data in a location of another region (a new
 * location, a copy of the repository) is refused unless the user gives an explicit instruction,
 * which is logged in the audit trail ('region.instruction'). With no chosen region nothing is
 * pinned yet, and a location on this device is never outside the chosen region (`outsideChosenRegion`). An instruction can also be given later for a location already recorded (`instruct`,
 * e.g. after the chosen region changed) and revoked (`revoke`, audited as
 * 'region.instruction.revoked'); the records of processing show which locations have one.
 */
import path from 'node:path';
import { CairnError } from '../../engine/errors.js';
import type { Actor, AuditTrail } from './audit-trail.js';
import { readJsonFile, withFileLock, writeFileAtomic } from './files.js';
import type { PrivacySettingsStore } from './settings.js';

export const LOCATIONS_FILE = 'locations.json';
export const REGIONS = ['this-device', 'EU', 'UK', 'CH', 'US', 'CA', 'AU', 'JP', 'other'] as const;
export type RegionName = (typeof REGIONS)[number];

export interface LocationRecord {
  location: string;
  repositoryId: string;
  region: string;
  declaredAt: string;
  via: Actor;
  /** The user's reason when the region differs from the chosen one. */
  instruction: string | null;
  /** When the instruction was given, if not when the location was declared. */
  instructedAt?: string;
  /** When an instruction was last revoked (the location then has none). */
  revokedAt?: string;
}

export function isRegion(value: string): value is RegionName {
  return (REGIONS as readonly string[]).includes(value);
}

/**
 * Whether storing in `region` puts data outside the `chosen` region. Nothing is outside while no
 * region is chosen; and a location on this device never is: keeping a copy on one's own computer
 * or drive sends the data to no one, wherever the computer is.
 */
export function outsideChosenRegion(region: string, chosen: string | null): boolean {
  return chosen !== null && region !== chosen && region !== 'this-device';
}

export function requireRegion(value: string): RegionName {
  if (!isRegion(value)) {
    throw new CairnError('invalid-argument', `unknown region "${value}": use one of ${REGIONS.join(', ')}`);
  }
  return value;
}

export class Regions {
  readonly file: string;

  constructor(
    readonly dir: string,
    private readonly audit: AuditTrail,
    private readonly settings: PrivacySettingsStore,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.file = path.join(dir, LOCATIONS_FILE);
  }

  chosen(): RegionName | null {
    const region = this.settings.read().region;
    return region && isRegion(region) ? region : null;
  }

  /** Sets the chosen region (audited as 'settings.changed' with the region). */
  choose(region: string): RegionName {
    const r = requireRegion(region);
    this.settings.update({ region: r });
    return r;
  }

  /**
   * Refuses putting data in `region` when it differs from the chosen region, unless
   * `instruction` (the user's explicit reason) is given; that instruction is audited.
   */
  authorize(region: string, target: { location: string; operation: string }, instruction?: string): void {
    const r = requireRegion(region);
    const chosen = this.chosen();
    if (!chosen || !outsideChosenRegion(r, chosen)) return;
    if (!instruction?.trim()) {
      throw new CairnError(
        'invalid-argument',
        `${target.location} is declared in region ${r}, but your chosen region is ${chosen}: data stays in ${chosen} unless you give an explicit instruction (CLI: --allow-region-transfer "reason")`,
      );
    }
    this.audit.append('region.instruction', {
      operation: target.operation,
      location: target.location,
      from: chosen,
      to: r,
      instruction: instruction.trim(),
    });
  }

  /**
   * Gives the explicit instruction to keep storing at a location recorded outside the chosen
   * region (audited as 'region.instruction', operation 'instruct'). Refused when no region is
   * chosen or the location lies in it: there is nothing to instruct.
   */
  instruct(input: {
    repositoryId: string;
    location: string;
    region: string;
    instruction: string;
    via: Actor;
  }): LocationRecord {
    const region = requireRegion(input.region);
    const chosen = this.chosen();
    const instruction = input.instruction.trim();
    if (!instruction)
      throw new CairnError('invalid-argument', 'say why the data may be stored there: the instruction is empty');
    if (!outsideChosenRegion(region, chosen)) {
      const why = !chosen ? 'and no region is chosen' : region === chosen ? 'your chosen region' : 'not a transfer';
      throw new CairnError('invalid-argument', `${input.location} is in ${region}, ${why}: no instruction is needed`);
    }
    const at = this.now().toISOString();
    const record = this.update(input.repositoryId, input.location, (existing) => ({
      location: input.location,
      repositoryId: input.repositoryId,
      region,
      declaredAt: existing?.declaredAt ?? at,
      via: existing?.via ?? input.via,
      instruction,
      instructedAt: at,
      ...(existing?.revokedAt ? { revokedAt: existing.revokedAt } : {}),
    }));
    this.audit.append('region.instruction', {
      operation: 'instruct',
      repositoryId: input.repositoryId,
      location: input.location,
      from: chosen,
      to: region,
      instruction,
    });
    return record;
  }

  /** Revokes the instruction of a location (audited); it must have one. */
  revoke(input: { repositoryId: string; location: string }): LocationRecord {
    const at = this.now().toISOString();
    const record = this.update(input.repositoryId, input.location, (existing) => {
      if (!existing?.instruction) {
        throw new CairnError(
          'invalid-argument',
          `${input.location} has no instruction to store outside the chosen region to revoke`,
        );
      }
      const { instructedAt: _, ...rest } = existing;
      return { ...rest, instruction: null, revokedAt: at };
    });
    this.audit.append('region.instruction.revoked', {
      repositoryId: input.repositoryId,
      location: input.location,
      region: record.region,
    });
    return record;
  }

  /** Replaces (or adds) the record of a location under the lock with what `change` makes of it. */
  private update(
    repositoryId: string,
    location: string,
    change: (existing: LocationRecord | undefined) => LocationRecord,
  ): LocationRecord {
    return withFileLock(this.dir, 'locations', () => {
      const list = this.locations();
      const same = (l: LocationRecord) => l.location === location && l.repositoryId === repositoryId;
      const record = change(list.find(same));
      writeFileAtomic(this.file, `${JSON.stringify([...list.filter((l) => !same(l)), record], null, 2)}\n`);
      return record;
    });
  }

  locations(): LocationRecord[] {
    const list = readJsonFile<LocationRecord[]>(this.file, []);
    return Array.isArray(list) ? list : [];
  }

  /** Records (or updates) the declared region of a storage location; audited as 'location.added'. */
  record(input: {
    location: string;
    repositoryId: string;
    region: string;
    via: Actor;
    instruction?: string;
  }): LocationRecord {
    const region = requireRegion(input.region);
    const record: LocationRecord = {
      location: input.location,
      repositoryId: input.repositoryId,
      region,
      declaredAt: this.now().toISOString(),
      via: input.via,
      instruction: input.instruction?.trim() || null,
    };
    const changed = withFileLock(this.dir, 'locations', () => {
      const list = this.locations();
      const existing = list.find((l) => l.location === record.location && l.repositoryId === record.repositoryId);
      if (existing && existing.region === record.region) return false;
      const next = list.filter((l) => !(l.location === record.location && l.repositoryId === record.repositoryId));
      next.push(record);
      writeFileAtomic(this.file, `${JSON.stringify(next, null, 2)}\n`);
      return true;
    });
    if (changed) {
      this.audit.append('location.added', {
        location: record.location,
        repositoryId: record.repositoryId,
        region: record.region,
      });
    }
    return record;
  }
}
