/**
 * Small concurrency helpers: bounded parallel map and a counting semaphore for byte budgets.
 */

/** Runs `fn` over `items` with at most `limit` at once, keeping the order of results. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** A semaphore over a quantity (e.g. bytes in flight). A request larger than the capacity waits for an empty budget. */
export class Budget {
  private used = 0;
  private readonly waiters: { amount: number; resolve: () => void }[] = [];

  constructor(private readonly capacity: number) {}

  async acquire(amount: number): Promise<void> {
    if (this.tryAcquire(amount)) return;
    await new Promise<void>((resolve) => this.waiters.push({ amount, resolve }));
  }

  /** Takes `amount` when `acquire` would go through at once, without waiting; false otherwise. */
  tryAcquire(amount: number): boolean {
    if (!this.available(amount)) return false;
    this.used += amount;
    return true;
  }

  /** Whether `acquire(amount)` would go through at once. */
  available(amount: number): boolean {
    return this.fits(amount) && this.waiters.length === 0;
  }

  release(amount: number): void {
    this.used -= amount;
    while (this.waiters.length > 0) {
      const head = this.waiters[0];
      if (!head || !this.fits(head.amount)) break;
      this.waiters.shift();
      this.used += head.amount;
      head.resolve();
    }
  }

  private fits(amount: number): boolean {
    return this.used === 0 || this.used + amount <= this.capacity;
  }
}
