/**
 * The restore wizard: pick a recovery point (or the latest), pick files and folders anywhere in
 * it, restore to the original place or another folder with a conflict rule, see what would be
 * overwritten, skipped or kept both (computed by 'restore.preview', nothing written) and only then
 * press "Restore"; progress arrives as task events, and a summary ends it.
 */
import { useId, useState } from 'react';
import type { Params, Result } from '../../contract/methods.js';
import { FolderPicker } from '../common/FolderPicker.js';
import { Loadable } from '../common/Loadable.js';
import { RepositoryPicker } from '../common/RepositoryPicker.js';
import { Empty } from '../common/States.js';
import { type Point, pointName } from '../recovery-points/points.js';
import type { Handoff } from '../store.js';
import { useApp } from '../storeContext.js';
import { useRequest } from '../useRequest.js';
import { FilePicker } from './FilePicker.js';
import { Preview } from './Preview.js';
import { Progress } from './Progress.js';
import '../common/common.css';
import './restore.css';
import { formatDateTime } from '../when.js';

export type Conflict = 'skip' | 'overwrite' | 'if-newer' | 'keep-both';

export interface RestoreChoice {
  snapshotId: string;
  everything: boolean;
  paths: string[];
  original: boolean;
  folder: string;
  conflict: Conflict;
}

export function requestOf(repositoryId: string, c: RestoreChoice): Params<'restore.start'> {
  return {
    repositoryId,
    snapshotId: c.snapshotId,
    target: c.original ? '/' : c.folder.trim(),
    include: c.everything ? [] : c.paths,
    overwrite: c.conflict === 'overwrite' ? 'always' : c.conflict === 'if-newer' ? 'if-newer' : 'never',
    keepBoth: c.conflict === 'keep-both',
  };
}

const STEP_TITLES = ['Recovery point', 'Files', 'Destination', 'Check and restore', 'Restoring'] as const;

export function Restore() {
  const handoff = useApp((state) => state.handoff);
  return (
    <div className="screen restore">
      <h1>Restore</h1>
      <RepositoryPicker preferred={handoff?.repositoryId}>
        {(repositoryId) => <Wizard key={repositoryId} repositoryId={repositoryId} handoff={handoff} />}
      </RepositoryPicker>
    </div>
  );
}

function Wizard({ repositoryId, handoff }: { repositoryId: string; handoff: Handoff | null }) {
  const request = useApp((state) => state.request);
  const points = useRequest(() => request('snapshots.list', { repositoryId }), [repositoryId]);
  return (
    <Loadable request={points} what="the recovery points">
      {(list) => <Steps repositoryId={repositoryId} handoff={handoff} points={list} />}
    </Loadable>
  );
}

function Steps({ repositoryId, handoff, points }: { repositoryId: string; handoff: Handoff | null; points: Point[] }) {
  const fromHandoff = handoff?.repositoryId === repositoryId ? handoff : null;
  const [step, setStep] = useState(fromHandoff?.snapshotId ? (fromHandoff.paths?.length ? 2 : 1) : 0);
  const [choice, setChoice] = useState<RestoreChoice>({
    snapshotId: fromHandoff?.snapshotId ?? 'latest',
    everything: !fromHandoff?.paths?.length,
    paths: fromHandoff?.paths ?? [],
    original: false,
    folder: '',
    conflict: 'keep-both',
  });
  const [taskId, setTaskId] = useState<string | null>(null);
  const update = (change: Partial<RestoreChoice>) => setChoice((c) => ({ ...c, ...change }));

  if (points.length === 0) {
    return (
      <Empty title="Nothing to restore yet">
        <p>There are no recovery points in this repository. Back up first; then files can be restored from here.</p>
      </Empty>
    );
  }
  const latest = points[0] as Point;
  const point = choice.snapshotId === 'latest' ? latest : (points.find((p) => p.id === choice.snapshotId) ?? latest);
  const resolved = { ...choice, snapshotId: point.id };

  const blocker =
    step === 1 && !choice.everything && choice.paths.length === 0
      ? 'Select at least one file or folder.'
      : step === 2 &&
          !choice.original &&
          !choice.folder.trim().startsWith('/') &&
          !/^[A-Za-z]:[\\/]/.test(choice.folder.trim())
        ? 'Choose the folder to restore into (a full path).'
        : null;

  return (
    <>
      <ol className="steps" aria-label="Steps">
        {STEP_TITLES.map((title, i) => (
          <li key={title} aria-current={i === step ? 'step' : undefined}>
            {i + 1}. {title}
          </li>
        ))}
      </ol>
      <section className="panel" aria-labelledby="restore-step-heading">
        <h2 id="restore-step-heading">{STEP_TITLES[step]}</h2>
        {step === 0 && <PointStep points={points} choice={choice} update={update} />}
        {step === 1 && <FilePicker repositoryId={repositoryId} point={point} choice={choice} update={update} />}
        {step === 2 && <DestinationStep choice={choice} update={update} />}
        {step === 3 && (
          <Preview
            request={requestOf(repositoryId, resolved)}
            point={point}
            onStarted={(id) => {
              setTaskId(id);
              setStep(4);
            }}
          />
        )}
        {step === 4 && taskId && <Progress taskId={taskId} onAgain={() => setStep(0)} />}
        {step < 3 && (
          <div className="wizard-actions">
            {step > 0 && (
              <button type="button" onClick={() => setStep(step - 1)}>
                Back
              </button>
            )}
            <button
              type="button"
              className="primary"
              disabled={blocker !== null}
              aria-describedby={blocker ? 'restore-blocker' : undefined}
              onClick={() => setStep(step + 1)}
            >
              Continue
            </button>
            {blocker && (
              <span id="restore-blocker" className="muted">
                {blocker}
              </span>
            )}
          </div>
        )}
        {step === 3 && (
          <div className="wizard-actions">
            <button type="button" onClick={() => setStep(2)}>
              Back
            </button>
          </div>
        )}
      </section>
    </>
  );
}

function PointStep({
  points,
  choice,
  update,
}: {
  points: Point[];
  choice: RestoreChoice;
  update: (c: Partial<RestoreChoice>) => void;
}) {
  const name = useId();
  const latest = points[0] as Point;
  return (
    <fieldset className="choice">
      <legend>Restore from</legend>
      <ul className="choice-list point-choices">
        <li>
          <label>
            <input
              type="radio"
              name={name}
              checked={choice.snapshotId === 'latest'}
              onChange={() => update({ snapshotId: 'latest' })}
            />
            The latest version (the newest recovery point, {formatDateTime(latest.time)})
          </label>
        </li>
        {points.map((p) => (
          <li key={p.id}>
            <label>
              <input
                type="radio"
                name={name}
                checked={choice.snapshotId === p.id}
                onChange={() => update({ snapshotId: p.id, paths: choice.snapshotId === p.id ? choice.paths : [] })}
              />
              {pointName(p)} — {p.totalFiles.toLocaleString()} files
            </label>
          </li>
        ))}
      </ul>
    </fieldset>
  );
}

function DestinationStep({ choice, update }: { choice: RestoreChoice; update: (c: Partial<RestoreChoice>) => void }) {
  const where = useId();
  const conflict = useId();
  const conflicts: [Conflict, string][] = [
    ['keep-both', 'Keep both: restore next to the existing file under a new name'],
    ['skip', 'Skip: leave the existing file as it is'],
    ['if-newer', 'Replace it only when the backed-up copy is newer'],
    ['overwrite', 'Replace the existing file'],
  ];
  return (
    <div className="form">
      <fieldset className="choice">
        <legend>Restore to</legend>
        <ul className="choice-list">
          <li>
            <label>
              <input
                type="radio"
                name={where}
                checked={!choice.original}
                onChange={() => update({ original: false })}
              />
              Another folder
            </label>
          </li>
          <li>
            <label>
              <input type="radio" name={where} checked={choice.original} onChange={() => update({ original: true })} />
              The original place (where the files were backed up from)
            </label>
          </li>
        </ul>
      </fieldset>
      {!choice.original && (
        <FolderPicker
          label="Folder to restore into"
          value={choice.folder}
          onChange={(folder) => update({ folder })}
          hint="Files keep their full path below this folder, e.g. FOLDER/home/me/Documents/report.pdf."
        />
      )}
      <fieldset className="choice">
        <legend>When a file already exists</legend>
        <ul className="choice-list">
          {conflicts.map(([value, label]) => (
            <li key={value}>
              <label>
                <input
                  type="radio"
                  name={conflict}
                  checked={choice.conflict === value}
                  onChange={() => update({ conflict: value })}
                />
                {label}
              </label>
            </li>
          ))}
        </ul>
      </fieldset>
      <p className="hint">Nothing is written before you have seen what would happen to each file.</p>
    </div>
  );
}

export type PreviewResult = Result<'restore.preview'>;
