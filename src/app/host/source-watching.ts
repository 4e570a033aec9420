/**
 * The app's continuous protection: one folder watcher over every backup source in the catalog
 * (restarted when the sources change), writing the watcher journal in the app data folder, and
 * the journal the app's backups plan with (src/app/services/backup.ts). Watching is optional (tests
 * and one-off hosts run without it); the journal is always kept, so backups record what they saw
 * either way.
 */
import path from 'node:path';
import { describeError } from '../../engine/errors.js';
import { isWithin } from '../../engine/util/paths.js';
import type { Catalog } from '../catalog/catalog.js';
import { JournalStore } from '../journal/journal-store.js';
import { FolderWatcher } from '../journal/watcher.js';

export interface WatchStatus {
  watching: boolean;
  roots: string[];
  paths: number;
  lastError: string | null;
}

export class SourceWatching {
  private watcher?: FolderWatcher;
  private starting?: Promise<void>;
  private lastError: string | null = null;
  private closed = false;
  private wantedKey = '';
  private store?: JournalStore;

  constructor(
    private readonly dataDir: string,
    private readonly catalog: Catalog,
    private readonly enabled: boolean,
    private readonly onError: (message: string) => void = () => {},
  ) {}

  /** The journal (opened on first use); undefined when it cannot be opened. */
  journal(): JournalStore | undefined {
    if (!this.store && !this.closed) {
      try {
        this.store = JournalStore.open(this.dataDir);
      } catch (err) {
        this.report(`the watcher journal cannot be opened, so backups rescan: ${describeError(err)}`);
      }
    }
    return this.store;
  }

  status(): WatchStatus {
    return {
      watching: this.watcher !== undefined,
      roots: this.watcher?.rootPaths ?? [],
      paths: this.watcher?.watchedCount ?? 0,
      lastError: this.lastError,
    };
  }

  /** Watches the catalog's source folders now (a no-op when watching is off or nothing changed). */
  refresh(): Promise<void> {
    if (!this.enabled || this.closed) return Promise.resolve();
    const roots = outermost(this.catalog.listSources().map((s) => path.resolve(s.path)));
    const key = roots.join('\0');
    if (key === this.wantedKey) return this.starting ?? Promise.resolve();
    this.wantedKey = key;
    const previous = this.starting ?? Promise.resolve();
    this.starting = previous.then(() => this.restart(roots, key));
    return this.starting;
  }

  private async restart(roots: string[], key: string): Promise<void> {
    if (this.closed || key !== this.wantedKey) return;
    await this.watcher?.close();
    this.watcher = undefined;
    const store = this.journal();
    if (!store || roots.length === 0) return;
    try {
      this.watcher = await FolderWatcher.start(store, roots, { onError: (m) => this.report(m) });
      this.lastError = null;
    } catch (err) {
      this.report(`cannot watch the backup folders, so backups rescan them: ${describeError(err)}`);
    }
    if (this.closed) await this.watcher?.close();
  }

  private report(message: string): void {
    this.lastError = message;
    this.onError(message);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.starting?.catch(() => undefined);
    await this.watcher?.close();
    this.watcher = undefined;
    this.store?.close();
    this.store = undefined;
  }
}

/** The folders not inside another one of the list (watching those covers all). */
function outermost(paths: string[]): string[] {
  const sorted = [...new Set(paths)].sort();
  return sorted.filter((p) => !sorted.some((q) => q !== p && isWithin(q, p)));
}
