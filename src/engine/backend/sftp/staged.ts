/**
 * A staged object on an SFTP server (Backend.stage): a `.tmp-<hex>` file in its kind's folder,
 * opened once, that appends extend through a pipelined writer (transfer.ts) — an append returns
 * as soon as its bytes are handed to the connection, so building a pack is not paced by round
 * trips. `commit` waits for every write, fsyncs, closes and gives the file its name without
 * replacing anything; `discard` (or a failed commit) removes it. The file lives on one
 * connection: if that connection is lost, the staged object fails and the caller starts over.
 */
import { assertValidRef, describeRef } from '../refs.js';
import { BackendError, type ObjectKind, type StagedObject } from '../types.js';
import type { SftpSession } from './session.js';
import { PipelinedWriter } from './transfer.js';

/** What a staged object needs from its backend: a request slot and error wording, and naming the file. */
export interface StagingHost {
  /** Runs `fn` on `session` holding a request slot; failures become BackendErrors about `doing` / `what`. */
  runOn<T>(session: SftpSession, doing: string, what: string, fn: () => Promise<T>): Promise<T>;
  /** fsync (when the server can) and close the file; the handle is closed (or its close sent) even when this fails. */
  finish(session: SftpSession, handle: Buffer): Promise<void>;
  /** Names `file` as object `id` of the kind without replacing one (fails 'exists'). */
  moveIntoPlace(session: SftpSession, file: string, kind: ObjectKind, id: string): Promise<void>;
  /** Removes `file`, ignoring every failure (a leftover is cleaned up later). */
  removeQuietly(session: SftpSession, file: string): Promise<void>;
}

export class SftpStagedObject implements StagedObject {
  private state: 'open' | 'failed' | 'finished' = 'open';
  private readonly writer: PipelinedWriter;
  private readonly what: string;

  constructor(
    private readonly host: StagingHost,
    private readonly session: SftpSession,
    private readonly kind: ObjectKind,
    private readonly file: string,
    private readonly handle: Buffer,
  ) {
    this.writer = new PipelinedWriter(session, handle);
    this.what = `a new ${kind} object`;
  }

  async append(data: Uint8Array | readonly Uint8Array[]): Promise<void> {
    this.assertOpen();
    const parts = Array.isArray(data) ? (data as readonly Uint8Array[]) : [data as Uint8Array];
    try {
      await this.host.runOn(this.session, `writing ${this.what}`, this.what, () => this.writer.write(parts));
    } catch (err) {
      this.state = 'failed';
      throw err;
    }
  }

  async commit(id: string): Promise<void> {
    this.assertOpen();
    this.state = 'finished';
    const ref = { kind: this.kind, id };
    // Closed exactly once: the server reuses handle values, so a second close could hit another file.
    let handleOpen = true;
    try {
      assertValidRef(ref);
      const what = describeRef(ref);
      await this.host.runOn(this.session, `committing ${what}`, what, async () => {
        await this.writer.flush();
        handleOpen = false;
        await this.host.finish(this.session, this.handle);
        await this.host.moveIntoPlace(this.session, this.file, this.kind, id);
      });
    } catch (err) {
      if (handleOpen) this.session.closeQuietly(this.handle);
      await this.host.removeQuietly(this.session, this.file);
      throw err;
    }
  }

  async discard(): Promise<void> {
    if (this.state === 'finished') return;
    this.state = 'finished';
    this.session.closeQuietly(this.handle);
    await this.host.removeQuietly(this.session, this.file);
  }

  private assertOpen(): void {
    if (this.state === 'finished') {
      throw new BackendError('io', `this staged ${this.kind} object was already committed or discarded`);
    }
    if (this.state === 'failed') {
      throw new BackendError(
        'io',
        `writing this staged ${this.kind} object failed earlier: discard it and start again`,
      );
    }
  }
}
