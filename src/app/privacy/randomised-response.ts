/**
 * Local differential privacy for usage statistics: k-ary (generalised) randomised response. Each
 * counter is one value of a small, fixed set of buckets; before it leaves the computer it is kept
 * with probability e^ε / (e^ε + k − 1) and otherwise replaced by one of the k − 1 other buckets,
 * each with probability 1 / (e^ε + k − 1). The ratio of the chances that any two true values give
 * the same report is then at most e^ε, whatever the receiver knows besides. e^ε is a whole number
 * here (the odds), so the draw is one exact `randomInt` with no floating-point bias. Pure: the
 * randomness is a parameter, so tests drive it.
 */
import { randomInt as cryptoRandomInt } from 'node:crypto';

/** A uniform whole number in [0, max): `crypto.randomInt` unless a test supplies its own. */
export type RandomInt = (max: number) => number;

export const defaultRandomInt: RandomInt = (max) => cryptoRandomInt(max);

/** e^ε for every counter: ε = ln 3 ≈ 1.0986. */
export const ODDS = 3;
export const EPSILON = Math.log(ODDS);

/** The chance a report carries the true bucket, out of `k` buckets. */
export function keepProbability(k: number, odds: number = ODDS): number {
  return odds / (odds + k - 1);
}

/** The chance a report carries one given other bucket. */
export function flipProbability(k: number, odds: number = ODDS): number {
  return 1 / (odds + k - 1);
}

/** The true `value` after k-ary randomised response over `domain`. */
export function randomise<T>(value: T, domain: readonly T[], randomInt: RandomInt = defaultRandomInt, odds = ODDS): T {
  const index = domain.indexOf(value);
  if (index < 0) throw new Error(`"${String(value)}" is not one of ${domain.join(', ')}`);
  if (!Number.isInteger(odds) || odds < 1) throw new Error('the odds e^ε must be a whole number ≥ 1');
  const draw = randomInt(odds + domain.length - 1);
  if (draw < odds) return value;
  // The (draw − odds)-th of the other buckets, skipping the true one.
  const other = draw - odds;
  return domain[other < index ? other : other + 1] as T;
}

/**
 * The receiver's unbiased estimate of the true share of each bucket from many randomised reports:
 * (observed share − q) / (p − q). Shares may come out slightly below 0 or above 1 by chance.
 */
export function estimateShares<T extends string>(
  reports: readonly T[],
  domain: readonly T[],
  odds = ODDS,
): Record<T, number> {
  const k = domain.length;
  const p = keepProbability(k, odds);
  const q = flipProbability(k, odds);
  const counts = new Map<T, number>(domain.map((d) => [d, 0]));
  for (const r of reports) counts.set(r, (counts.get(r) ?? 0) + 1);
  const out = {} as Record<T, number>;
  for (const d of domain) out[d] = ((counts.get(d) ?? 0) / reports.length - q) / (p - q);
  return out;
}
