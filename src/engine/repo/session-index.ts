/**
 * The session index of an open repository and how it stays fresh (docs/repository-format.md §14,
 * "Freshness"). It knows which index files it was built from and which they supersede, so that a
 * refresh is one listing when nothing changed: files added since (another backup) are read and
 * merged; when a file it relied on is gone or superseded (a prune, an erasure, a repair elsewhere)
 * it is rebuilt from the files as stored. A damaged index file is skipped and recorded: the data
 * only it lists counts as missing, and the repository stays usable.
 */
import { BackendError, isNotFound } from '../backend/types.js';
import { IntegrityError } from '../errors.js';
import { type CompactIndex, compactIndex } from '../format/index-compact.js';
import type { IndexedPack, IndexFile } from '../format/index-file.js';
import { mapLimit } from '../util/concurrency.js';
import type { MasterIndex } from './master-index.js';

/** What a refresh had to do to bring the session index up to date. */
export type IndexRefresh = 'unchanged' | 'added' | 'rebuilt';

/** An index file as the session index reads it: compact, not one object per blob. */
type ReadFile = { id: string; index: CompactIndex };

export class SessionIndex {
  /** Damaged index files (id → reason). */
  readonly problems = new Map<string, string>();
  private loaded = false;
  /** The index files the session index is built from, and those they supersede. */
  private readonly files = new Set<string>();
  private readonly supersededByLoaded = new Set<string>();

  constructor(
    private readonly blobs: MasterIndex,
    private readonly readFile: (id: string) => Promise<CompactIndex>,
    /** Told of a damaged index file (once per file is the caller's concern). */
    private readonly damaged: (id: string, reason: string) => void,
  ) {}

  get isLoaded(): boolean {
    return this.loaded;
  }

  /** The next refresh reads every index file again. */
  forget(): void {
    this.loaded = false;
  }

  /**
   * Brings the index up to date with the files `listed` now. `rebuild` forces a rebuild (state of
   * an unfinished write was dropped); `pending` are packs saved in this session and not indexed
   * yet, which a rebuild keeps.
   */
  async refresh(listed: string[], rebuild: boolean, pending: readonly IndexedPack[]): Promise<IndexRefresh> {
    const present = new Set(listed);
    for (const id of this.problems.keys()) if (!present.has(id)) this.problems.delete(id);
    const lost = [...this.files].some((id) => !present.has(id));
    if (!this.loaded || lost || rebuild) {
      this.adopt(await this.readTolerant(listed), pending);
      return 'rebuilt';
    }
    const added = listed.filter((id) => !this.files.has(id) && !this.problems.has(id));
    if (added.length === 0) return 'unchanged';
    const files = await this.readTolerant(added);
    const supersedesOurs = files.some((f) => f.index.supersedes.some((id) => this.files.has(id)));
    const supersededByOurs = files.some((f) => this.supersededByLoaded.has(f.id));
    if (supersedesOurs || supersededByOurs) {
      this.adopt(await this.readTolerant(listed), pending);
      return 'rebuilt';
    }
    this.merge(files);
    return 'added';
  }

  /** Builds the index from exactly these files (as objects when check read them), plus the session's pending packs. */
  adopt(files: (ReadFile | { id: string; index: IndexFile })[], pending: readonly IndexedPack[]): void {
    this.blobs.clear();
    this.files.clear();
    this.supersededByLoaded.clear();
    this.merge(files.map((f) => ('counts' in f.index ? (f as ReadFile) : { id: f.id, index: compactIndex(f.index) })));
    for (const pack of pending) this.blobs.addPack(pack.id, pack.blobs);
    this.loaded = true;
  }

  /** An index file this session wrote: its packs are known already, and it is one to rely on. */
  written(id: string, packs: readonly IndexedPack[]): void {
    this.files.add(id);
    // A rebuild while the file was being written did not see these packs anywhere.
    for (const pack of packs) this.blobs.addPack(pack.id, pack.blobs);
  }

  /** Adds the packs of these files, skipping every file that one of them supersedes. */
  private merge(files: ReadFile[]): void {
    for (const f of files) for (const id of f.index.supersedes) this.supersededByLoaded.add(id);
    this.blobs.expect(files.reduce((sum, f) => sum + f.index.types.length, 0));
    for (const { id, index } of files) {
      if (this.supersededByLoaded.has(id)) continue;
      this.files.add(id);
      this.blobs.addIndexed(index);
    }
  }

  /** Reads index files; a damaged one is recorded in `problems` and skipped. */
  private async readTolerant(ids: string[]): Promise<ReadFile[]> {
    const read = await mapLimit(ids, 4, async (id) => {
      try {
        return { id, index: await this.readFile(id) };
      } catch (err) {
        if (isNotFound(err)) return undefined; // removed while we listed: a prune's step 3
        // Damage only: a read that failed (the storage did not answer) fails the refresh.
        const invalid = err instanceof BackendError && err.code === 'invalid-object';
        if (!(err instanceof IntegrityError) && !invalid) throw err;
        this.problems.set(id, err.message);
        this.damaged(id, err.message);
        return undefined;
      }
    });
    return read.filter((f): f is ReadFile => f !== undefined);
  }
}
