/**
 * Sending the anonymous usage statistics, only ever with consent and a configured address. Every
 * tick (hourly) queues the report of a week that is over — randomised, with its send time drawn
 * once within 72 hours after the week's end (privacy/usage-stats.ts) — and posts the reports whose
 * time has come. Without consent nothing is counted, queued or sent; without an address reports
 * wait in the outbox, where the export and the Privacy screen show them. A failed send is quiet
 * (the report stays queued) and tried again at the next tick; a week is never sent twice.
 */
import { describeError } from '../../engine/errors.js';
import type { UsageStatistics } from '../privacy/usage-stats.js';

const TICK_MS = 60 * 60 * 1000;

export interface UsageReportingOptions {
  tickMs?: number;
  fetch?: typeof fetch;
}

export class UsageReporting {
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;
  private readonly tickMs: number;

  constructor(
    private readonly usage: () => UsageStatistics,
    private readonly endpoint: () => string | null,
    private readonly onError: (message: string) => void,
    private readonly options: UsageReportingOptions = {},
  ) {
    this.tickMs = options.tickMs ?? TICK_MS;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.tickMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Queues a finished week's report, then sends the reports that are due; returns how many were sent. */
  tick(): Promise<number> {
    this.running ??= this.report().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async report(): Promise<number> {
    const usage = this.usage();
    try {
      usage.rollOver();
      if (!usage.enabled() || !this.endpoint() || usage.pending().length === 0) return 0;
      return await usage.send(this.options.fetch ?? fetch);
    } catch (err) {
      this.onError(`usage statistics could not be sent (they stay queued): ${describeError(err)}`);
      return 0;
    }
  }
}
