/**
 * Damage in an unlocked repository and its repair, on the Dashboard. Shown only when there is
 * something to say: index files or recovery points that cannot be read, stored data that is
 * missing (`repo.health`), or a check that failed. "Preview the repair" runs the index repair as
 * a dry run and shows what it would change; "Repair the index" runs it. Then the recovery points
 * that reference lost data get the same two steps (repaired copies, the originals kept until
 * they are removed here). An unreadable recovery point can be removed on its own.
 */
import { useEffect, useRef, useState } from 'react';
import type { Result } from '../../contract/methods.js';
import { formatBytes } from '../format.js';
import { type AppStatusData, isActive, type TaskData } from '../store.js';
import { useApp } from '../storeContext.js';
import { useRequest } from '../useRequest.js';
import { formatDateTime } from '../when.js';

type Repository = AppStatusData['repositories'][number];
type Health = Result<'repo.health'>;
type Kind = 'index' | 'snapshots';

/** The task with this id as the store knows it (events), fetched once in case none arrives. */
function useTask(taskId: string | null): TaskData | undefined {
  const task = useApp((state) => (taskId ? state.tasks[taskId] : undefined));
  const request = useApp((state) => state.request);
  const applyTask = useApp((state) => state.applyTask);
  const known = useRef(false);
  known.current = Boolean(task);
  useEffect(() => {
    if (!taskId) return;
    request('tasks.get', { id: taskId }).then(
      (fetched) => {
        if (!known.current) applyTask(fetched);
      },
      () => undefined, // the events still arrive
    );
  }, [taskId, request, applyTask]);
  return task;
}

const num = (r: Record<string, unknown>, key: string) => (typeof r[key] === 'number' ? (r[key] as number) : 0);
const list = (r: Record<string, unknown>, key: string) => (Array.isArray(r[key]) ? (r[key] as unknown[]) : []);
const short = (id: string) => id.slice(0, 8);

/** What an index repair found or did, in sentences. */
function IndexOutcome({ r, dryRun }: { r: Record<string, unknown>; dryRun: boolean }) {
  if (r.changed !== true) return <p>The index matches the stored data: it needs no repair.</p>;
  const would = dryRun ? 'would be' : 'were';
  const dropped = num(r, 'blobsDropped');
  return (
    <ul className="health-facts">
      <li>
        {list(r, 'indexFilesDamaged').length} damaged index file(s) and {list(r, 'packsMissing').length} missing pack(s)
        found in {num(r, 'packsScanned')} pack(s) read.
      </li>
      <li>
        {num(r, 'blobsAdded')} entries {would} added from the packs themselves; {dropped} {would} dropped.
      </li>
      {dropped > 0 && (
        <li>
          The dropped entries are data the recovery points can no longer restore:{' '}
          {formatBytes(num(r, 'droppedDataBytes'))} in {num(r, 'droppedDataBlobs')} piece(s), and{' '}
          {num(r, 'droppedTreeBlobs')} folder listing(s). The next backup stores again whatever of it is still on this
          computer.
        </li>
      )}
      {list(r, 'packsUnreadable').length > 0 && (
        <li>
          {list(r, 'packsUnreadable').length} pack(s) have a header that cannot be read; they are left as they are.
        </li>
      )}
    </ul>
  );
}

interface RepairedPoint {
  original: string;
  repaired?: string;
  time: string;
  removedFiles: number;
  emptiedFolders: number;
  examples: string[];
}

function SnapshotsOutcome({ r, dryRun }: { r: Record<string, unknown>; dryRun: boolean }) {
  const repaired = list(r, 'repaired') as RepairedPoint[];
  const lost = list(r, 'rootLost') as { id: string }[];
  if (repaired.length === 0 && lost.length === 0) {
    return <p>Every recovery point has all of its data: none needs a repaired copy.</p>;
  }
  return (
    <ul className="health-facts">
      {repaired.map((p) => (
        <li key={p.original}>
          The recovery point of {formatDateTime(p.time)} ({short(p.original)}) {dryRun ? 'would get' : 'got'} a copy
          without {p.removedFiles} lost file(s)
          {p.emptiedFolders > 0 ? ` and ${p.emptiedFolders} lost folder(s)` : ''}
          {p.examples.length > 0 ? `, e.g. ${p.examples.slice(0, 3).join(', ')}` : ''}.
        </li>
      ))}
      {lost.map((p) => (
        <li key={p.id}>Recovery point {short(p.id)} lost its top folder: it cannot be repaired, only removed.</li>
      ))}
    </ul>
  );
}

/** One repair step: preview (dry run), then the repair itself, each a 'repair' task. */
function RepairStep({
  repositoryId,
  kind,
  title,
  action,
  onRepaired,
}: {
  repositoryId: string;
  kind: Kind;
  title: string;
  action: string;
  onRepaired(result: Record<string, unknown>): void;
}) {
  const request = useApp((state) => state.request);
  const [preview, setPreview] = useState<string | null>(null);
  const [repair, setRepair] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const previewTask = useTask(preview);
  const repairTask = useTask(repair);
  const reported = useRef(false);

  useEffect(() => {
    if (repairTask?.status === 'succeeded' && !reported.current) {
      reported.current = true;
      onRepaired(repairTask.result ?? {});
    }
  }, [repairTask, onRepaired]);

  const start = (dryRun: boolean) => {
    setError(null);
    request('repair.start', { repositoryId, kind, dryRun, readData: false }).then(
      ({ taskId }) => (dryRun ? setPreview(taskId) : setRepair(taskId)),
      (e: unknown) => setError((e as Error).message),
    );
  };

  const shown = repairTask ?? previewTask;
  const dryRun = !repairTask;
  const result = (shown?.result ?? {}) as Record<string, unknown>;
  const wouldChange = kind === 'index' ? result.changed === true : list(result, 'repaired').length > 0;
  return (
    <div className="repair-step">
      <h4>{title}</h4>
      {!preview && (
        <button type="button" onClick={() => start(true)}>
          Preview
        </button>
      )}
      {shown && isActive(shown) && (
        <p role="status" className="muted">
          {dryRun ? 'Reading the stored data…' : 'Repairing…'}
        </p>
      )}
      {shown?.status === 'failed' && (
        <p className="error-text" role="alert">
          {shown.error}
        </p>
      )}
      {shown?.status === 'succeeded' &&
        (kind === 'index' ? (
          <IndexOutcome r={result} dryRun={dryRun} />
        ) : (
          <SnapshotsOutcome r={result} dryRun={dryRun} />
        ))}
      {previewTask?.status === 'succeeded' && !repair && wouldChange && (
        <button type="button" className="primary" onClick={() => start(false)}>
          {action}
        </button>
      )}
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** Removing recovery points by id (an unreadable one, or the originals of repaired copies). */
function RemovePoints({ repositoryId, ids, label }: { repositoryId: string; ids: string[]; label: string }) {
  const request = useApp((state) => state.request);
  const loadStatus = useApp((state) => state.loadStatus);
  const [state, setState] = useState<{ busy: boolean; done: boolean; error: string | null }>({
    busy: false,
    done: false,
    error: null,
  });
  if (state.done) return <p role="status">Removed. Their data is freed by the next clean-up with pruning.</p>;
  return (
    <>
      <button
        type="button"
        disabled={state.busy}
        onClick={() => {
          setState({ busy: true, done: false, error: null });
          request('snapshots.forget', { repositoryId, ids }).then(
            () => {
              setState({ busy: false, done: true, error: null });
              void loadStatus();
            },
            (e: unknown) => setState({ busy: false, done: false, error: (e as Error).message }),
          );
        }}
      >
        {label}
      </button>
      {state.error && (
        <p className="error-text" role="alert">
          {state.error}
        </p>
      )}
    </>
  );
}

function problemsOf(health: Health | null, failedCheck: TaskData | undefined): string[] {
  const out: string[] = [];
  if (health) {
    const index = health.indexFilesDamaged.length;
    if (index > 0)
      out.push(
        `${index} index file(s) cannot be read: the data only they list cannot be found until the index is repaired.`,
      );
    if (health.packsMissing > 0)
      out.push(`${health.packsMissing} pack(s) of stored data are missing from the storage location.`);
  }
  if (failedCheck?.error) out.push(`The last check found problems: ${failedCheck.error}.`);
  return out;
}

function HealthCard({ repo, version }: { repo: Repository; version: string }) {
  const request = useApp((state) => state.request);
  const tasks = useApp((state) => state.tasks);
  const health = useRequest(() => request('repo.health', { repositoryId: repo.id }), [repo.id, version]);
  const [originals, setOriginals] = useState<string[]>([]);
  const [openRepair, setOpenRepair] = useState(false);
  const lastCheck = Object.values(tasks)
    .filter((t) => t.repositoryId === repo.id && t.kind === 'check' && !isActive(t))
    .sort((a, b) => (b.finishedAt ?? '').localeCompare(a.finishedAt ?? ''))[0];
  const failedCheck = lastCheck?.status === 'failed' ? lastCheck : undefined;
  const problems = problemsOf(health.data ?? null, failedCheck);
  const unreadable = health.data?.snapshotsDamaged ?? [];
  if (problems.length === 0 && unreadable.length === 0 && !openRepair) return null;
  const headingId = `health-${repo.id}`;
  return (
    <section className="panel panel-warn health" aria-labelledby={headingId}>
      <h2 id={headingId}>Damage found in “{repo.label}”</h2>
      <p>
        The rest of the repository stays usable: backups and restores of intact data go on. Repair it here; every repair
        is previewed first and recorded in the audit trail.
      </p>
      {problems.length > 0 && (
        <ul className="health-facts">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      {unreadable.length > 0 && (
        <div>
          <h3>Recovery points that cannot be read</h3>
          <ul className="health-facts">
            {unreadable.map((d) => (
              <li key={d.id}>
                <span className="id">{short(d.id)}</span>: {d.reason}
              </li>
            ))}
          </ul>
          <RemovePoints
            repositoryId={repo.id}
            ids={unreadable.map((d) => d.id)}
            label={`Remove ${unreadable.length === 1 ? 'it' : 'them'}`}
          />
        </div>
      )}
      {(problems.length > 0 || openRepair) && (
        <div className="repair-steps">
          <RepairStep
            repositoryId={repo.id}
            kind="index"
            title="1. The index"
            action="Repair the index"
            onRepaired={() => {
              setOpenRepair(true);
              health.reload();
            }}
          />
          <RepairStep
            repositoryId={repo.id}
            kind="snapshots"
            title="2. Recovery points that reference lost data"
            action="Write repaired copies"
            onRepaired={(r) => {
              setOpenRepair(true);
              setOriginals((list(r, 'repaired') as RepairedPoint[]).map((p) => p.original));
            }}
          />
          {originals.length > 0 && (
            <div className="repair-step">
              <h4>3. The damaged originals</h4>
              <p>The repaired copies hold everything that could be saved. Once you have looked at them:</p>
              <RemovePoints repositoryId={repo.id} ids={originals} label="Remove the damaged originals" />
            </div>
          )}
        </div>
      )}
      {health.state === 'error' && (
        <p className="error-text" role="alert">
          Cairn could not read the repository's state: {health.message}
        </p>
      )}
    </section>
  );
}

/** A health card for each unlocked repository that has damage; nothing when all are whole. */
export function RepositoryHealth({ status }: { status: AppStatusData }) {
  // Read again whenever the status changes (a backup, check or repair ended).
  const version = JSON.stringify(status.repositories.map((r) => [r.id, r.unlocked, r.lastBackupAt, r.lastCheckAt]));
  return (
    <>
      {status.repositories
        .filter((r) => r.unlocked)
        .map((repo) => (
          <HealthCard key={repo.id} repo={repo} version={version} />
        ))}
    </>
  );
}
