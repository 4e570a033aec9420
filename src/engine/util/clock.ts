/**
 * The engine's one wall clock. Every date the storage core records or compares with stored dates
 * (recovery point times and durations, key slot and config creation, lock times, erasure and
 * repair records, the age of leftover files) is read through a `Clock` that the operation takes in
 * its options, so tests and the app layer can pass their own; `systemClock` is the default at
 * each operation's entry. No other engine module reads `Date.now()` or `new Date()`
 * (a biome rule, scripts/lint/engine-reads-no-clock.grit, enforces it).
 *
 * Not wall-clock dates, and so not read through a Clock: `performance.now()` for pacing work
 * (progress throttling, letting the event loop turn). It is monotonic and never recorded, and a
 * test's fixed clock would otherwise stop the pacing.
 */

/** Wall-clock time in milliseconds since the Unix epoch, as `Date.now()` returns it. */
export type Clock = () => number;

/** The computer's clock. */
export const systemClock: Clock = () => Date.now();

/** The clock's time as an ISO 8601 string (the form stored in the repository's documents). */
export function isoTime(clock: Clock): string {
  return new Date(clock()).toISOString();
}
