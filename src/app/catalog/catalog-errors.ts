/**
 * How the catalog words SQLite's failures: opening the file (busy, full, damaged — with advice that
 * deleting the catalog costs no backup) and running a statement on it. Kept apart from catalog.ts,
 * which holds the queries.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { CairnError, describeError } from '../../engine/errors.js';

function deleteAdvice(file: string): string {
  return (
    `The catalog only holds app settings, the list of repositories, sources and task history; ` +
    `your backups live in the repositories themselves and are not affected. To start afresh, quit Cairn ` +
    `and delete or move ${file} (with any ${path.basename(file)}-wal and -shm files next to it); ` +
    `Cairn creates a new catalog and you can add your repositories again.`
  );
}

function sqliteCode(err: unknown): string | undefined {
  return err instanceof Database.SqliteError ? err.code : undefined;
}

/** Errors while opening the catalog file, described with the file's path. */
export function openError(file: string, err: unknown): CairnError {
  if (err instanceof CairnError) {
    return new CairnError(err.code, `app catalog ${file}: ${err.message}`, { cause: err });
  }
  const code = sqliteCode(err) ?? '';
  const detail = err instanceof Error ? err.message : String(err);
  if (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_') || code.startsWith('SQLITE_LOCKED')) {
    return new CairnError('locked', `the app catalog ${file} is in use by another Cairn process (${detail})`, {
      cause: err,
    });
  }
  if (code === 'SQLITE_FULL') {
    return new CairnError('no-space', `no space left to open the app catalog ${file}`, { cause: err });
  }
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_ERROR') {
    return new CairnError(
      'integrity',
      `the app catalog ${file} is damaged or is not a Cairn catalog (${detail}). ${deleteAdvice(file)}`,
      { cause: err },
    );
  }
  return new CairnError('io', `cannot open the app catalog ${file}: ${describeError(err)}`, { cause: err });
}

/** Errors from a statement on an open catalog; `unique` describes a UNIQUE/PRIMARY KEY clash. */
export function statementError(err: unknown, unique?: () => string): unknown {
  const code = sqliteCode(err);
  if (code === undefined) return err;
  if ((code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') && unique) {
    return new CairnError('invalid-argument', unique(), { cause: err });
  }
  if (code === 'SQLITE_FULL')
    return new CairnError('no-space', 'no space left to update the app catalog', { cause: err });
  if (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_')) {
    return new CairnError('locked', 'the app catalog is busy in another Cairn process; try again', { cause: err });
  }
  if (code.startsWith('SQLITE_CORRUPT')) {
    return new CairnError('integrity', `the app catalog is damaged (${(err as Error).message})`, { cause: err });
  }
  if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_READONLY')) {
    return new CairnError('io', `cannot write the app catalog: ${(err as Error).message}`, { cause: err });
  }
  return err;
}
