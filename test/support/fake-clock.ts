/**
 * A fake wall clock with fake timers for the Scheduler's tests: time only moves when a test
 * advances it, and `advance` fires the timers that fall due in order, letting the runs they
 * start settle after each.
 */
import { setImmediate as flushPromises } from 'node:timers/promises';

export class FakeClock {
  time: number;
  private timers: { at: number; fn: () => void }[] = [];

  constructor(start: Date) {
    this.time = start.getTime();
  }

  now = (): Date => new Date(this.time);

  setTimer = (ms: number, fn: () => void): (() => void) => {
    const timer = { at: this.time + ms, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  };

  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Moves time forward, firing due timers in order and letting finished runs settle after each. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    await flushPromises();
    for (;;) {
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = Math.max(this.time, due.at);
      due.fn();
      await flushPromises();
    }
    this.time = target;
  }

  /** Moves time forward without firing anything, as while the machine sleeps. */
  sleep(ms: number): void {
    this.time += ms;
  }
}
