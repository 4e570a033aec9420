/**
 * Sending the anonymous usage statistics, only ever with consent and a configured address: once
 * a period (a week by default) the counters are moved into the outbox as one payload — the same
 * payload `usage.preview` shows — and the outbox is posted to the address. Without consent
 * nothing is counted, queued or sent; without an address payloads wait in the outbox, where the
 * export and the Privacy screen show them. A failed send is retried at the next tick.
 */
import { describeError } from '../../engine/errors.js';
import type { UsageStatistics } from '../privacy/usage-stats.js';

export const USAGE_PERIOD_MS = 7 * 24 * 60 * 60 * 1000;
const TICK_MS = 60 * 60 * 1000;

export interface UsageReportingOptions {
  periodMs?: number;
  tickMs?: number;
  now?: () => Date;
  fetch?: typeof fetch;
}

export class UsageReporting {
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;
  private readonly periodMs: number;
  private readonly tickMs: number;
  private readonly now: () => Date;

  constructor(
    private readonly usage: () => UsageStatistics,
    private readonly endpoint: () => string | null,
    private readonly onError: (message: string) => void,
    private readonly options: UsageReportingOptions = {},
  ) {
    this.periodMs = options.periodMs ?? USAGE_PERIOD_MS;
    this.tickMs = options.tickMs ?? TICK_MS;
    this.now = options.now ?? (() => new Date());
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

  /** Queues the counters when their period is over, then sends the outbox; returns payloads sent. */
  tick(): Promise<number> {
    this.running ??= this.report().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async report(): Promise<number> {
    const usage = this.usage();
    if (!usage.enabled()) return 0;
    const counters = usage.counters();
    if (counters && this.now().getTime() - new Date(counters.since).getTime() >= this.periodMs) usage.queue();
    if (!this.endpoint() || usage.pending().length === 0) return 0;
    try {
      return await usage.send(this.options.fetch ?? fetch);
    } catch (err) {
      this.onError(`usage statistics could not be sent (they stay in the outbox): ${describeError(err)}`);
      return 0;
    }
  }
}
