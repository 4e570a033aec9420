/**
 * Scheduled rolling verification: once a day (by default) each unlocked repository gets a
 * `verify.slice` check, which reads the packs verified longest ago so that all stored data is
 * read within the verification period. The time of the last started slice is kept in the
 * catalog (`verification.lastRun.<repositoryId>`), so a restart does not verify twice a day and
 * a computer that was off catches up at the next tick.
 */
import type { Catalog } from '../catalog/catalog.js';

export const VERIFY_EVERY_MS = 24 * 60 * 60 * 1000;
const TICK_MS = 10 * 60 * 1000;

export function lastVerificationRunKey(repositoryId: string): string {
  return `verification.lastRun.${repositoryId}`;
}

export interface ScheduledVerificationOptions {
  everyMs?: number;
  tickMs?: number;
  now?: () => Date;
}

export class ScheduledVerification {
  private timer?: NodeJS.Timeout;
  private readonly everyMs: number;
  private readonly tickMs: number;
  private readonly now: () => Date;

  constructor(
    private readonly catalog: Catalog,
    /** Ids of the repositories that can be verified now (unlocked). */
    private readonly candidates: () => string[],
    /** Starts the slice; a rejection (busy, locked meanwhile) is retried at a later tick. */
    private readonly run: (repositoryId: string) => Promise<void>,
    options: ScheduledVerificationOptions = {},
  ) {
    this.everyMs = options.everyMs ?? VERIFY_EVERY_MS;
    this.tickMs = options.tickMs ?? TICK_MS;
    this.now = options.now ?? (() => new Date());
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.tickMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Starts the slices that are due; returns the repositories started. */
  tick(): string[] {
    const now = this.now();
    const started: string[] = [];
    for (const id of this.candidates()) {
      const last = this.catalog.getSetting<string | null>(lastVerificationRunKey(id), null);
      if (last && now.getTime() - new Date(last).getTime() < this.everyMs) continue;
      started.push(id);
      this.run(id).then(
        () => this.catalog.setSetting(lastVerificationRunKey(id), now.toISOString()),
        () => undefined,
      );
    }
    return started;
  }
}
