/**
 * Keeps whole packs in memory, least recently used first out, within a byte budget. Reading a
 * whole pack once is far cheaper than one ranged read per blob when many blobs of the pack are
 * needed (tree walks, full restores). Concurrent requests for one pack share one read.
 */
export class PackCache {
  private readonly entries = new Map<string, { data: Promise<Buffer>; size: number }>();
  private bytes = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly read: (packId: string) => Promise<Buffer>,
  ) {}

  get(packId: string, expectedSize: number): Promise<Buffer> {
    const hit = this.entries.get(packId);
    if (hit) {
      this.entries.delete(packId);
      this.entries.set(packId, hit); // most recently used last
      return hit.data;
    }
    const data = this.read(packId);
    const entry = { data, size: expectedSize };
    this.entries.set(packId, entry);
    this.bytes += expectedSize;
    data.then(
      (buf) => {
        if (this.entries.get(packId) === entry) {
          this.bytes += buf.length - entry.size;
          entry.size = buf.length;
        }
      },
      () => this.drop(packId, entry),
    );
    this.evict(packId);
    return data;
  }

  private drop(packId: string, entry: { size: number }): void {
    if (this.entries.get(packId) !== entry) return;
    this.entries.delete(packId);
    this.bytes -= entry.size;
  }

  private evict(keep: string): void {
    for (const [id, entry] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      if (id === keep) continue;
      this.drop(id, entry);
    }
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }
}
