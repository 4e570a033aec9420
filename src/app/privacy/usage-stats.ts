/**
 * Anonymous usage statistics (GDPR Art. 25, data protection by default). Nothing is counted
 * without consent ('usage-statistics'); withdrawing deletes the counters and every unsent report
 * at once. This computer keeps one ISO week's counts (backups, restores, the largest backup's
 * size); when the week is over they become one report (usage-payload.ts): buckets only, each
 * counter through randomised response, no identifier, no time finer than the week. The report is
 * queued (usage-outbox.ts) with a send time drawn uniformly within 72 hours after the week ends,
 * and sent by the app (host/usage-reporting.ts) only while consent is given and an address is set
 * — with nothing else: no cookies, no identifying headers, one request per week at most.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ConsentLedger } from './consent-ledger.js';
import { readJsonFile, withFileLock, writeFileAtomic } from './files.js';
import { defaultRandomInt, type RandomInt } from './randomised-response.js';
import type { PrivacySettingsStore } from './settings.js';
import { type OutboxEntry, UsageOutbox } from './usage-outbox.js';
import {
  isoWeek,
  isWeek,
  randomisedPayload,
  truePayload,
  type UsagePayload,
  type WeekCounters,
  weekEnd,
} from './usage-payload.js';

export const USAGE_FILE = 'usage-counters.json';
/** The longest random wait after a week ends before its report may be sent. */
export const SEND_DELAY_MAX_MS = 72 * 60 * 60 * 1000;

/** What the export holds of usage statistics. */
export interface UsageExport {
  counters: WeekCounters | null;
  pending: OutboxEntry[];
  sentWeeks: string[];
}

export class UsageStatistics {
  readonly file: string;
  readonly outbox: UsageOutbox;

  constructor(
    readonly dir: string,
    private readonly consent: ConsentLedger,
    private readonly settings: PrivacySettingsStore,
    private readonly appVersion: string,
    private readonly now: () => Date = () => new Date(),
    private readonly randomInt: RandomInt = defaultRandomInt,
  ) {
    this.file = path.join(dir, USAGE_FILE);
    this.outbox = new UsageOutbox(dir);
  }

  enabled(): boolean {
    return this.consent.isGiven('usage-statistics');
  }

  /** The counts kept for the week under way (or a finished week not yet queued); null when none. */
  counters(): WeekCounters | null {
    const c = readJsonFile<Partial<WeekCounters> | null>(this.file, null);
    if (!c || !isWeek(c.week) || typeof c.backups !== 'number' || typeof c.restores !== 'number') return null;
    const largest = typeof c.largestBackupBytes === 'number' ? c.largestBackupBytes : null;
    return { week: c.week, backups: c.backups, restores: c.restores, largestBackupBytes: largest };
  }

  /** Counts one finished backup of `bytes` (only its bucket is ever reported); nothing without consent. */
  recordBackup(bytes: number): void {
    this.bump((c) => {
      c.backups++;
      c.largestBackupBytes = Math.max(c.largestBackupBytes ?? 0, bytes);
    });
  }

  recordRestore(): void {
    this.bump((c) => {
      c.restores++;
    });
  }

  private bump(change: (c: WeekCounters) => void): void {
    if (!this.enabled()) return;
    withFileLock(this.dir, 'usage', () => {
      this.queueFinishedLocked();
      const c = this.counters() ?? this.emptyWeek();
      change(c);
      writeFileAtomic(this.file, `${JSON.stringify(c, null, 2)}\n`);
    });
  }

  private emptyWeek(): WeekCounters {
    return { week: isoWeek(this.now()), backups: 0, restores: 0, largestBackupBytes: null };
  }

  /**
   * Queues the report of a week that is over, and starts counting the week under way, so a week
   * without backups reports too (a report then says nothing about whether Cairn was used). Only
   * with consent. Returns the report queued, if any.
   */
  rollOver(): OutboxEntry | null {
    if (!this.enabled()) return null;
    return withFileLock(this.dir, 'usage', () => {
      const queued = this.queueFinishedLocked();
      if (!this.counters()) writeFileAtomic(this.file, `${JSON.stringify(this.emptyWeek(), null, 2)}\n`);
      return queued;
    });
  }

  private queueFinishedLocked(): OutboxEntry | null {
    this.outbox.removeForeign();
    if (!fs.existsSync(this.file)) return null;
    const c = this.counters();
    if (c && c.week >= isoWeek(this.now())) return null;
    fs.rmSync(this.file, { force: true }); // a finished week, or counters of an older format
    if (!c) return null;
    // The wait starts when the week ends, or now if the app was not running then: never sooner.
    const from = Math.max(weekEnd(c.week).getTime(), this.now().getTime());
    const delay = this.randomInt(SEND_DELAY_MAX_MS / 1000 + 1) * 1000;
    const entry: OutboxEntry = {
      week: c.week,
      sendAfter: new Date(from + delay).toISOString(),
      payload: randomisedPayload(truePayload(c, this.appVersion), this.randomInt),
    };
    return this.outbox.add(entry) ? entry : null;
  }

  /** The true, bucketed report of the week counted so far (an empty week when nothing is counted). */
  payload(): UsagePayload {
    return truePayload(this.counters() ?? this.emptyWeek(), this.appVersion);
  }

  /** One draw of the same report after randomised response: a sample of what would be sent. */
  randomisedSample(): UsagePayload {
    return randomisedPayload(this.payload(), this.randomInt);
  }

  /** The reports waiting to be sent, oldest week first. */
  pending(): OutboxEntry[] {
    return this.outbox.entries();
  }

  export(): UsageExport {
    return { counters: this.counters(), pending: this.pending(), sentWeeks: this.outbox.sentWeeks() };
  }

  /**
   * Sends every queued report whose time has come to the configured address (POST, JSON, the
   * payload alone) and records each accepted week as sent. Nothing without consent or address;
   * stops at the first failure (the rest wait for the next try). Returns how many were sent.
   */
  async send(fetchImpl: typeof fetch = fetch): Promise<number> {
    let sent = 0;
    for (const entry of this.pending()) {
      const endpoint = this.settings.read().usageEndpoint;
      if (!this.enabled() || !endpoint) break;
      if (Date.parse(entry.sendAfter) > this.now().getTime()) continue;
      if (this.outbox.sentWeeks().includes(entry.week)) {
        withFileLock(this.dir, 'usage', () => this.outbox.markSent(entry.week));
        continue;
      }
      const response = await fetchImpl(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(entry.payload),
        credentials: 'omit',
        redirect: 'error',
        referrerPolicy: 'no-referrer',
        signal: AbortSignal.timeout(15_000),
      });
      await response.body?.cancel(); // nothing in the answer is read
      if (!response.ok) throw new Error(`the statistics address answered ${response.status}`);
      withFileLock(this.dir, 'usage', () => this.outbox.markSent(entry.week));
      sent++;
    }
    return sent;
  }

  /** Deletes the counters and every unsent report (on withdrawal of consent). */
  discard(): void {
    withFileLock(this.dir, 'usage', () => {
      fs.rmSync(this.file, { force: true });
      this.outbox.clear();
    });
  }
}
