/**
 * Anonymous usage statistics (GDPR Art. 25, data protection by default). Only aggregated
 * counters are kept — number of backups and restores, backup sizes in coarse buckets, the app
 * version and the OS family — never paths, file names, hostnames, IP-derived data or repository
 * IDs. Nothing is counted without consent ('usage-statistics'); withdrawing deletes the counters
 * and the unsent outbox at once. `preview()` is the exact payload that would be sent. Payloads are
 * queued in the `usage-outbox/` folder and only sent when consent is given and an endpoint is
 * configured (none by default); tests read the outbox and never touch the network.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ConsentLedger } from './consent-ledger.js';
import { readJsonFile, withFileLock, writeFileAtomic } from './files.js';
import type { PrivacySettingsStore } from './settings.js';

export const USAGE_FILE = 'usage-counters.json';
export const OUTBOX_DIR = 'usage-outbox';
/** Upper bounds of the size buckets; sizes are never recorded exactly. */
const BUCKETS: [string, number][] = [
  ['<1MiB', 2 ** 20],
  ['1-100MiB', 100 * 2 ** 20],
  ['100MiB-1GiB', 2 ** 30],
  ['1-10GiB', 10 * 2 ** 30],
  ['10-100GiB', 100 * 2 ** 30],
];
const LAST_BUCKET = '>=100GiB';

export interface UsageCounters {
  since: string;
  backups: number;
  restores: number;
  backupSizeBuckets: Record<string, number>;
}

export interface UsagePayload {
  schema: 1;
  appVersion: string;
  osFamily: 'windows' | 'macos' | 'linux' | 'other';
  period: { from: string; to: string };
  backups: number;
  restores: number;
  backupSizeBuckets: Record<string, number>;
}

export function sizeBucket(bytes: number): string {
  for (const [name, limit] of BUCKETS) if (bytes < limit) return name;
  return LAST_BUCKET;
}

export function osFamily(platform: NodeJS.Platform = process.platform): UsagePayload['osFamily'] {
  if (platform === 'win32') return 'windows';
  if (platform === 'darwin') return 'macos';
  if (platform === 'linux') return 'linux';
  return 'other';
}

export class UsageStatistics {
  readonly file: string;
  readonly outbox: string;

  constructor(
    readonly dir: string,
    private readonly consent: ConsentLedger,
    private readonly settings: PrivacySettingsStore,
    private readonly appVersion: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.file = path.join(dir, USAGE_FILE);
    this.outbox = path.join(dir, OUTBOX_DIR);
  }

  enabled(): boolean {
    return this.consent.isGiven('usage-statistics');
  }

  counters(): UsageCounters | null {
    return readJsonFile<UsageCounters | null>(this.file, null);
  }

  /** Counts one finished backup of `bytes` (in a bucket); nothing without consent. */
  recordBackup(bytes: number): void {
    this.bump((c) => {
      c.backups++;
      const bucket = sizeBucket(bytes);
      c.backupSizeBuckets[bucket] = (c.backupSizeBuckets[bucket] ?? 0) + 1;
    });
  }

  recordRestore(): void {
    this.bump((c) => {
      c.restores++;
    });
  }

  private bump(change: (c: UsageCounters) => void): void {
    if (!this.enabled()) return;
    withFileLock(this.dir, 'usage', () => {
      const c = this.counters() ?? { since: this.now().toISOString(), backups: 0, restores: 0, backupSizeBuckets: {} };
      change(c);
      writeFileAtomic(this.file, `${JSON.stringify(c, null, 2)}\n`);
    });
  }

  /** The exact payload that would be sent for the counters so far (null when there is nothing). */
  preview(): UsagePayload | null {
    const c = this.counters();
    if (!c) return null;
    return {
      schema: 1,
      appVersion: this.appVersion,
      osFamily: osFamily(),
      period: { from: c.since, to: this.now().toISOString() },
      backups: c.backups,
      restores: c.restores,
      backupSizeBuckets: c.backupSizeBuckets,
    };
  }

  /** Moves the current counters into the outbox as one payload file (only with consent). */
  queue(): string | null {
    if (!this.enabled()) return null;
    return withFileLock(this.dir, 'usage', () => {
      const payload = this.preview();
      if (!payload) return null;
      fs.mkdirSync(this.outbox, { recursive: true });
      const file = path.join(this.outbox, `${payload.period.to.replace(/[:.]/g, '-')}.json`);
      writeFileAtomic(file, `${JSON.stringify(payload, null, 2)}\n`);
      fs.rmSync(this.file, { force: true });
      return file;
    });
  }

  /** The payload files waiting to be sent, oldest first. */
  pending(): string[] {
    try {
      return fs
        .readdirSync(this.outbox)
        .filter((n) => n.endsWith('.json'))
        .sort()
        .map((n) => path.join(this.outbox, n));
    } catch {
      return [];
    }
  }

  /**
   * Sends the outbox to the configured endpoint (POST, JSON) and deletes what was accepted. Does
   * nothing without consent or without an endpoint. Returns how many payloads were sent.
   */
  async send(fetchImpl: typeof fetch = fetch): Promise<number> {
    const endpoint = this.settings.read().usageEndpoint;
    if (!this.enabled() || !endpoint) return 0;
    let sent = 0;
    for (const file of this.pending()) {
      const body = fs.readFileSync(file, 'utf8');
      const response = await fetchImpl(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(15_000),
      });
      if (!response.ok) break;
      fs.rmSync(file, { force: true });
      sent++;
    }
    return sent;
  }

  /** Deletes the counters and every unsent payload (on withdrawal of consent). */
  discard(): void {
    withFileLock(this.dir, 'usage', () => {
      fs.rmSync(this.file, { force: true });
      fs.rmSync(this.outbox, { recursive: true, force: true });
    });
  }
}
