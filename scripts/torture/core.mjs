/**
 * The torture run (`npm run torture`, and a short run in `npm test`): real `cairn` processes on a
 * real local repository, each operation killed with SIGKILL at a seeded moment between its start
 * and its measured duration. Operations: backup (of a tree that changes between runs), forget
 * --keep-last --prune (with a repack threshold that makes repacks happen), privacy erase --path,
 * key add and key passwd. After every kill:
 *   - the password works (after an interrupted `key passwd`, the old or the new one: tracked);
 *   - `cairn check --read-data` is clean;
 *   - every recovery point committed before the kill is listed (unless the interrupted forget may
 *     have removed it, or erasure replaced it by its erased copy), and a new one is adopted only
 *     when it is the tree of the interrupted backup;
 *   - every listed recovery point restores byte-identical to the tree it was taken of (an erased
 *     copy without the erased path; a completed erasure's path is in none);
 *   - and the next operation, not killed, completes: a stale lock left by the killed process
 *     must not block it ("locked" is a failure).
 * The run stops at the first failure and reports its step, the operation and the seed. Every
 * choice comes from the seed (operations, kill delays, file contents); the kill moments are
 * delays in milliseconds, so how far a killed process got also depends on the machine's speed.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildPrivateCli } from '../private-cli-build.mjs';
import { Cairn, errorOf, jsonOf } from './cli.mjs';
import { Rng } from './rng.mjs';
import { differences, manifestOf, SCALES, SourceTree } from './tree.mjs';

export const KINDS = ['backup', 'forget', 'erase', 'key add', 'key passwd'];
/** Packs less than 90% used are repacked: most prunes after a forget copy blobs. */
const REPACK_THRESHOLD = '0.9';

/** Recovery points oldest first, as keep-last counts them (newest first; ties: the smaller id is newer). */
function oldestFirst(points) {
  return [...points].sort((a, b) => a.time.localeCompare(b.time) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

/** What stops the run: the step, the operation and what went wrong. */
export class TortureFailure extends Error {
  constructor(step, what, message) {
    super(`step ${step} (${what}): ${message}`);
    this.name = 'TortureFailure';
    this.step = step;
    this.what = what;
  }
}

/**
 * Runs the torture until `kills` processes were killed, then verifies once more. `damage`
 * (tests) is called before that final verification, which must then fail: proof that the
 * verifications can fail at all.
 * @param {{ root: string, seed: number, kills: number, scale?: 'short' | 'full', keep?: boolean,
 *   log?: (line: string) => void, damage?: (paths: { repo: string, src: string }) => Promise<void> }} options
 */
export async function runTorture(options) {
  const started = Date.now();
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'cairn-torture-'));
  const log = options.log ?? (() => {});
  const run = new TortureRun({
    work,
    seed: options.seed,
    scale: SCALES[options.scale ?? 'full'],
    log,
    bin: await buildPrivateCli(options.root, path.join(work, 'build')),
  });
  let failure;
  try {
    await run.start();
    while (run.totalKills() < options.kills) await run.cycle();
    await options.damage?.({ repo: run.repoDir, src: run.src });
    await run.verify('the final verification');
  } catch (err) {
    failure = err instanceof TortureFailure ? err : new TortureFailure(run.step, 'the harness', err.stack ?? err);
  }
  const summary = run.summary(Date.now() - started, failure);
  if (failure || options.keep) summary.workDir = work;
  else await fs.rm(work, { recursive: true, force: true });
  return summary;
}

class TortureRun {
  constructor({ work, seed, scale, log, bin }) {
    this.work = work;
    this.seed = seed;
    this.log = log;
    this.rng = new Rng(seed);
    this.scale = scale;
    this.src = path.join(work, 'src');
    this.repoDir = path.join(work, 'repo');
    this.tree = new SourceTree(this.src, this.rng, scale);
    this.cairn = new Cairn({ bin, repo: this.repoDir, dataDir: path.join(work, 'app-data'), cwd: work });
    this.password = `torture ${seed} first password`;
    this.step = 0;
    /** Backup tag → the manifest of the tree it backed up. */
    this.manifests = new Map();
    /** Recovery points known to be committed: id → { tag, time }. */
    this.known = new Map();
    /** Erasures asked for: { rel, abs, done }. */
    this.erasures = [];
    /** Set by an operation, settled by the next verification. */
    this.expect = {};
    this.durations = new Map();
    this.kills = new Map(KINDS.map((k) => [k, 0]));
    this.finishedFirst = new Map(KINDS.map((k) => [k, 0]));
    this.operations = new Map(KINDS.map((k) => [k, 0]));
    this.staleLocks = 0;
    this.verifications = 0;
  }

  totalKills() {
    return [...this.kills.values()].reduce((a, b) => a + b, 0);
  }

  fail(what, message) {
    throw new TortureFailure(this.step, what, message);
  }

  async start() {
    await this.tree.create();
    const init = await this.cairn.run(['init', '--json'], { password: this.password });
    if (init.code !== 0) this.fail('init', errorOf(init));
    // One run of each kind, not killed: the first measured durations.
    for (const kind of ['backup', 'backup', 'key add', 'key passwd', 'erase', 'backup', 'forget']) {
      await this.attempt(kind, false);
    }
    await this.verify('the verification of the first operations');
  }

  /**
   * One killed operation, the verification, then one operation that must complete. An operation
   * that ended before its kill was such a completed operation: the next kill follows directly.
   */
  async cycle() {
    const fewest = Math.min(...[...this.kills.values()]);
    const due = KINDS.filter((k) => this.kills.get(k) === fewest && this.possible(k));
    if (!(await this.attempt(this.rng.pick(due.length > 0 ? due : ['backup']), true))) return;
    await this.verify('the verification after the kill');
    const next = this.rng.pick(KINDS.filter((k) => this.possible(k)));
    await this.attempt(next, false);
  }

  possible(kind) {
    return kind !== 'erase' || this.erasable().length > 0;
  }

  /** Files in the tree now that a known recovery point holds and that were never erased. */
  erasable() {
    const erased = new Set(this.erasures.map((e) => e.rel));
    const held = new Set();
    for (const { tag } of this.known.values()) {
      for (const [rel, entry] of this.manifests.get(tag) ?? []) if (entry.type === 'file') held.add(rel);
    }
    return [...(this.current ?? [])].filter((rel) => held.has(rel) && !erased.has(rel));
  }

  /**
   * Runs one operation of `kind`; with `kill`, SIGKILL comes after a seeded delay from 0 to the
   * kind's measured duration. A run that ends by itself must succeed. Returns whether it was killed.
   */
  async attempt(kind, kill) {
    this.step++;
    const what = `${kill ? 'killed ' : ''}${kind}`;
    const op = await this.prepare(kind);
    const duration = this.durations.get(kind) ?? 1000;
    const killAfterMs = kill ? Math.floor(this.rng.next() * duration) : undefined;
    const result = await this.cairn.run(op.args, { password: this.password, newPassword: op.newPassword, killAfterMs });
    this.operations.set(kind, this.operations.get(kind) + 1);
    if (result.hung) this.fail(what, `${op.args.join(' ')} did not end within 5 minutes`);
    if (result.killed) {
      this.kills.set(kind, this.kills.get(kind) + 1);
      this.log(`step ${this.step}: ${kind} killed after ${killAfterMs} of ~${Math.round(duration)} ms`);
      await op.settle(false);
      return true;
    }
    if (kill) this.finishedFirst.set(kind, this.finishedFirst.get(kind) + 1);
    if (result.code !== 0) {
      const locked = result.code === 11 ? ` — refused as locked: ${await this.describeLocks()}` : '';
      this.fail(what, `${op.args.join(' ')} failed with exit ${result.code}: ${errorOf(result)}${locked}`);
    }
    this.durations.set(kind, this.durations.has(kind) ? 0.7 * duration + 0.3 * result.ms : result.ms);
    this.log(`step ${this.step}: ${kind} completed in ${result.ms} ms`);
    await op.settle(true, result);
    return false;
  }

  /** The arguments of an operation and what its outcome means for the expected state. */
  async prepare(kind) {
    const newPassword = `torture ${this.seed} password of step ${this.step}`;
    if (kind === 'backup') {
      if (this.manifests.size > 0) await this.tree.change();
      const tag = `t${this.step}`;
      const manifest = await manifestOf(this.src);
      this.manifests.set(tag, manifest);
      this.current = new Set([...manifest].filter(([, e]) => e.type === 'file').map(([rel]) => rel));
      return {
        args: ['backup', this.src, '--tag', tag, '--json'],
        settle: async (done, result) => {
          // Killed, it may still have committed: the verification adopts a recovery point with this tag.
          this.expect.backupTag = tag;
          if (done) this.known.set(jsonOf(result).id, { tag, time: jsonOf(result).time });
        },
      };
    }
    if (kind === 'forget') {
      // What keep-last removes: all but the newest (ties: the smaller id counts as newer).
      const points = [...this.known].map(([id, { time }]) => ({ id, time }));
      const removable = oldestFirst(points)
        .slice(0, Math.max(0, points.length - this.scale.keepLast))
        .map((s) => s.id);
      return {
        args: [
          'forget',
          '--keep-last',
          String(this.scale.keepLast),
          '--prune',
          '--repack-threshold',
          REPACK_THRESHOLD,
          '--json',
        ],
        settle: async (done) => {
          // Killed, it may have removed any of them; done, all of them (checked at the verification).
          const expect = this.expect;
          expect.mayBeGone = new Set([...(expect.mayBeGone ?? []), ...removable]);
          if (done) expect.gone = new Set([...(expect.gone ?? []), ...removable]);
          if (done) for (const id of removable) this.known.delete(id);
        },
      };
    }
    if (kind === 'erase') {
      const rel = this.rng.pick(this.erasable());
      const erasure = { rel, abs: path.join(this.src, rel), done: false };
      this.erasures.push(erasure);
      return {
        args: ['privacy', 'erase', '--path', erasure.abs, '--json'],
        settle: async (done, result) => {
          erasure.done = done;
          // Its erased copies replace the recovery points that held the path.
          for (const w of done ? jsonOf(result).rewritten : []) {
            const point = this.known.get(w.original);
            this.known.delete(w.original);
            if (point) this.known.set(w.rewritten, point);
          }
          // The user deletes what they had erased, so later backups do not store it again.
          await this.tree.remove(rel);
          this.current.delete(rel);
        },
      };
    }
    if (kind === 'key add') {
      return {
        args: ['key', 'add', '--label', `added at step ${this.step}`, '--json'],
        newPassword,
        settle: async (done) => {
          this.expect.slotsChanged = true;
          // Done: the added password is used from now on, so every later command proves it opens.
          if (done) this.password = newPassword;
        },
      };
    }
    return {
      args: ['key', 'passwd', '--json'],
      newPassword,
      settle: async (done) => {
        this.expect.slotsChanged = true;
        if (!done) {
          this.expect.passwd = { old: this.password, new: newPassword };
          return;
        }
        // Done: only the new password opens (the check at the verification uses it).
        this.expect.retired = [...(this.expect.retired ?? []), this.password];
        this.password = newPassword;
      },
    };
  }

  /** Whether `password` opens the repository (`cairn key list`); the slots when it does. */
  async opens(password) {
    const r = await this.cairn.run(['key', 'list', '--json'], { password });
    if (r.code === 0) return jsonOf(r);
    const message = errorOf(r);
    if (/wrong password/.test(message)) return undefined;
    this.fail('opening the repository', `cairn key list failed with exit ${r.code}: ${message}`);
  }

  async listSnapshots(what) {
    const r = await this.cairn.run(['snapshots', '--json'], { password: this.password });
    if (r.code !== 0) this.fail(what, `cairn snapshots failed with exit ${r.code}: ${errorOf(r)}`);
    return oldestFirst(jsonOf(r));
  }

  /** Everything promised after an operation, killed or not (see the module comment). */
  async verify(what) {
    this.verifications++;
    const expect = this.expect;
    this.expect = {};
    this.staleLocks += (await fs.readdir(path.join(this.repoDir, 'locks'))).length;
    // After a key operation, which password opens (and the slots); otherwise check opens with it.
    if (expect.slotsChanged) await this.verifyPassword(what, expect);

    const check = await this.cairn.run(['check', '--read-data', '--json'], { password: this.password });
    if (check.code !== 0) {
      let report = errorOf(check);
      if (/wrong password/.test(report)) this.fail(what, 'the password no longer opens the repository');
      try {
        const r = jsonOf(check);
        report = [...r.errors.map((e) => `error: ${e.object}: ${e.message}`), ...r.notes.map((n) => `note: ${n}`)].join(
          '\n  ',
        );
      } catch {
        // not JSON: the error line above says why
      }
      this.fail(what, `cairn check --read-data failed (exit ${check.code}):\n  ${report}`);
    }

    const listed = await this.listSnapshots(what);
    const listedIds = new Set(listed.map((s) => s.id));
    const replaced = new Set(listed.flatMap((s) => (s.erasures ?? []).map((e) => e.original)));
    for (const [id, { tag }] of this.known) {
      if (listedIds.has(id) || replaced.has(id) || expect.mayBeGone?.has(id)) continue;
      this.fail(what, `recovery point ${id.slice(0, 8)} (${tag}), committed before, is gone`);
    }
    for (const id of expect.gone ?? []) {
      if (listedIds.has(id)) this.fail(what, `forget reported success, but ${id.slice(0, 8)} is still listed`);
    }
    const known = new Map();
    for (const s of listed) {
      const tag = s.tags.find((t) => this.manifests.has(t));
      if (!tag) this.fail(what, `recovery point ${s.id.slice(0, 8)} appeared, with tags ${s.tags.join(',')}`);
      const adopted = this.known.has(s.id) || replaced.has(s.id) || s.erasures || tag === expect.backupTag;
      if (!adopted) this.fail(what, `recovery point ${s.id.slice(0, 8)} (${tag}) appeared out of nowhere`);
      known.set(s.id, { tag, time: s.time });
    }
    // Two restores at a time: each spends much of its time in a single thread (start-up, reading).
    const queue = [...listed];
    const lane = async () => {
      for (let s = queue.shift(); s; s = queue.shift()) await this.verifyRestore(what, s, known.get(s.id).tag);
    };
    await Promise.all([lane(), lane()]);
    this.known = known;

    // Slots added along the way slow every later unlock (each is tried): keep only ours.
    const slotFiles = await fs.readdir(path.join(this.repoDir, 'keys'));
    const slots = slotFiles.length > 1 ? ((await this.opens(this.password)) ?? []) : [];
    for (const slot of slots.filter((s) => !s.current)) {
      const r = await this.cairn.run(['key', 'remove', slot.id.slice(0, 16), '--json'], { password: this.password });
      if (r.code !== 0) this.fail(what, `cairn key remove failed with exit ${r.code}: ${errorOf(r)}`);
    }
  }

  /**
   * Settles which password opens the repository after key operations: a password a completed
   * `key passwd` replaced must not; after an interrupted one, the new or else the old one must
   * (the check that follows proves the one in use opens).
   */
  async verifyPassword(what, expect) {
    for (const old of expect.retired ?? []) {
      if (await this.opens(old)) this.fail(what, 'key passwd reported success, but the old password still opens');
    }
    const passwd = expect.passwd;
    if (!passwd) return;
    if (await this.opens(passwd.new)) this.password = passwd.new;
    else if (await this.opens(passwd.old)) this.password = passwd.old;
    else this.fail(what, 'after the interrupted key passwd neither the old nor the new password opens');
  }

  /** Restores one recovery point and compares it with the tree it was taken of. */
  async verifyRestore(what, snapshot, tag) {
    const target = path.join(this.work, 'restores', `${this.step}-${snapshot.id.slice(0, 8)}`);
    const r = await this.cairn.run(['restore', snapshot.id, '--target', target, '--json'], { password: this.password });
    if (r.code !== 0) this.fail(what, `restoring ${snapshot.id.slice(0, 8)} (${tag}) failed: ${errorOf(r)}`);
    const restored = await manifestOf(path.join(target, this.src));
    const expected = new Map(this.manifests.get(tag));
    const problems = [];
    // A completed erasure's path is in no recovery point; an interrupted one's may be gone from
    // an erased copy (the next open finishes an erasure whose tombstone was written).
    for (const e of this.erasures.filter((x) => x.done)) {
      if (restored.has(e.rel)) problems.push(`${e.rel}: erased, but still restored`);
      for (const m of [expected, restored]) for (const rel of [...m.keys()]) if (rel === e.rel) m.delete(rel);
    }
    const mayLack = snapshot.erasures ? this.erasures.filter((e) => !e.done).map((e) => e.rel) : [];
    problems.push(...differences(expected, restored, mayLack));
    if (problems.length > 0) {
      this.fail(
        what,
        `recovery point ${snapshot.id.slice(0, 8)} (${tag}) does not restore as backed up:\n  ${problems.slice(0, 10).join('\n  ')}`,
      );
    }
    await fs.rm(target, { recursive: true, force: true });
  }

  /** The locks in the repository folder and whether their holders live, for a "locked" report. */
  async describeLocks() {
    const names = await fs.readdir(path.join(this.repoDir, 'locks')).catch(() => []);
    return `${names.length} lock file(s) in ${path.join(this.repoDir, 'locks')}`;
  }

  summary(durationMs, failure) {
    return {
      seed: this.seed,
      kills: this.totalKills(),
      killsByKind: Object.fromEntries(this.kills),
      finishedBeforeKill: Object.fromEntries(this.finishedFirst),
      operations: Object.fromEntries(this.operations),
      processes: Object.fromEntries(this.cairn.started),
      verifications: this.verifications,
      staleLocksSeen: this.staleLocks,
      steps: this.step,
      durationMs,
      failures: failure ? [{ step: failure.step, what: failure.what, message: failure.message }] : [],
    };
  }
}
