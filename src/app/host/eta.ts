/**
 * The time left of a long task, as honest as what is known: the work still to do (bytes to read,
 * or the fraction left for tasks that count objects) at the rate measured so far. The rate is
 * sampled at most once a second and smoothed (an exponential average over about ten seconds), so
 * the estimate does not jump with each burst of small files or each large one; and there is no
 * estimate (null) until the measurement means something: a few seconds and a few megabytes (or,
 * on a slow link, ten seconds), and a known total.
 */

/** Seconds of measurement before any estimate. */
export const ETA_MIN_SECONDS = 3;
/** Bytes done (since the first report) before an estimate of a task that reads bytes. */
export const ETA_MIN_BYTES = 4 * 1024 * 1024;
/** The share done before an estimate of a task that reports a fraction. */
export const ETA_MIN_FRACTION = 0.01;
/** Seconds after which an estimate is given even below ETA_MIN_BYTES (a slow task still gets one). */
export const ETA_ENOUGH_SECONDS = 10;
/** The least time between two samples of the rate. */
const SAMPLE_SECONDS = 1;
/** The time constant of the rate's exponential average. */
const SMOOTHING_SECONDS = 10;

interface Point {
  /** Milliseconds, from the task manager's clock. */
  at: number;
  done: number;
}

export class EtaEstimator {
  private first: Point | undefined;
  private lastSample: Point | undefined;
  /** Units per second, smoothed; undefined before the first sample. */
  private rate: number | undefined;

  /** `minDone`: how much must be done since the first report before an estimate (see ETA_MIN_*). */
  constructor(private readonly minDone: number) {}

  /**
   * Takes a report of `done` units at time `at` (ms) and returns the seconds left, or null when
   * there is no honest estimate yet. `total` null: not known (yet); the rate is measured anyway.
   */
  update(at: number, done: number, total: number | null): number | null {
    if (!this.first || done < this.first.done) {
      // The first report, or a task that started over: measure from here.
      this.first = { at, done };
      this.lastSample = this.first;
      this.rate = undefined;
      return null;
    }
    const last = this.lastSample as Point;
    const sinceSample = (at - last.at) / 1000;
    if (sinceSample >= SAMPLE_SECONDS) {
      const instant = (done - last.done) / sinceSample;
      this.rate =
        this.rate === undefined
          ? instant
          : this.rate + (1 - Math.exp(-sinceSample / SMOOTHING_SECONDS)) * (instant - this.rate);
      this.lastSample = { at, done };
    }
    const elapsed = (at - this.first.at) / 1000;
    const progressed = done - this.first.done;
    if (total === null || this.rate === undefined || !(this.rate > 0)) return null;
    if (elapsed < ETA_MIN_SECONDS || (progressed < this.minDone && elapsed < ETA_ENOUGH_SECONDS)) return null;
    return Math.max(0, Math.round((total - done) / this.rate));
  }
}
