/**
 * First run: set up where backups go and what is backed up, as a list of clear steps (STEPS; a
 * step is one entry, so a later one such as a privacy notice is a few lines). Storage: create a
 * repository in a local folder or on an external drive, or connect an existing one, with its
 * region; password with a strength meter and confirmation; the recovery kit (new repositories);
 * folders; exclusion presets; schedule; the privacy notice with its optional, unticked choices
 * (PrivacyStep.tsx). The repository is made when the password step is left;
 * folders, exclusions and schedule are saved at the end.
 */
import { type ReactNode, useId, useRef, useState } from 'react';
import type { Result } from '../../contract/methods.js';
import { FolderPicker } from '../common/FolderPicker.js';
import { RecoveryKit } from '../common/RecoveryKit.js';
import { REGION_NAMES, type RegionCode } from '../format.js';
import type { AppState } from '../store.js';
import { useApp } from '../storeContext.js';
import { PrivacyStep } from './PrivacyStep.js';
import { EXCLUSION_PRESETS, excludesFor, type PresetId, type ScheduleChoice } from './presets.js';
import { passwordStrength } from './strength.js';
import '../common/common.css';
import './first-run.css';

const REGIONS = Object.keys(REGION_NAMES) as RegionCode[];

export interface Setup {
  mode: 'create' | 'connect';
  kind: 'folder' | 'drive';
  location: string;
  label: string;
  region: RegionCode;
  password: string;
  confirmation: string;
  repository: Result<'repo.create'> | null;
  kit: Result<'keys.createRecoveryKey'> | null;
  kitSaved: boolean;
  folders: string[];
  presets: Set<PresetId>;
  schedule: ScheduleChoice;
  /** The optional purposes of the privacy notice: both unticked until the person ticks them. */
  usageStatistics: boolean;
  productNews: boolean;
}

export interface StepProps {
  setup: Setup;
  update: (change: Partial<Setup>) => void;
}

interface Step {
  id: string;
  title: string;
  /** Steps that do not apply to this setup are skipped. */
  applies?: (setup: Setup) => boolean;
  /** Why the user cannot go on yet, or null. */
  blocker: (setup: Setup) => string | null;
  /** Runs when the user goes on (may call the engine); throws to stay. */
  leave?: (setup: Setup, ctx: LeaveContext) => Promise<Partial<Setup> | undefined>;
  render: (props: StepProps) => ReactNode;
}

interface LeaveContext {
  call: AppState['call'];
}

const STEPS: Step[] = [
  {
    id: 'storage',
    title: 'Storage',
    blocker: (s) =>
      s.location.trim() === ''
        ? 'Choose where the backups are stored.'
        : s.label.trim() === ''
          ? 'Give it a name.'
          : null,
    render: (p) => <StorageStep {...p} />,
  },
  {
    id: 'password',
    title: 'Password',
    blocker: (s) =>
      s.password === ''
        ? 'Enter a password.'
        : s.mode === 'create' && s.password !== s.confirmation
          ? 'The two passwords are not the same.'
          : null,
    leave: async (s, { call }) => {
      if (s.repository) return undefined;
      const params = { location: s.location.trim(), label: s.label.trim(), region: s.region, password: s.password };
      const repository = s.mode === 'create' ? await call('repo.create', params) : await call('repo.connect', params);
      return { repository };
    },
    render: (p) => <PasswordStep {...p} />,
  },
  {
    id: 'recovery-kit',
    title: 'Recovery kit',
    applies: (s) => s.mode === 'create',
    blocker: (s) =>
      !s.kit ? 'Make the recovery kit first.' : !s.kitSaved ? 'Confirm that you saved the recovery key.' : null,
    render: (p) => <RecoveryKitStep {...p} />,
  },
  {
    id: 'folders',
    title: 'Folders',
    blocker: (s) => (s.folders.length === 0 ? 'Add at least one folder to back up.' : null),
    render: (p) => <FoldersStep {...p} />,
  },
  { id: 'exclusions', title: 'Exclusions', blocker: () => null, render: (p) => <ExclusionsStep {...p} /> },
  {
    id: 'schedule',
    title: 'Schedule',
    blocker: () => null,
    leave: async (s, { call }) => {
      const repositoryId = s.repository?.id;
      if (!repositoryId) throw new Error('The repository is not set up yet.');
      const existing = await call('sources.list', { repositoryId });
      const excludes = excludesFor(s.presets);
      for (const folder of s.folders) {
        const source =
          existing.find((x) => x.path === folder) ??
          (await call('sources.add', { repositoryId, path: folder, excludes }));
        const schedule =
          s.schedule.kind === 'hourly'
            ? { kind: 'interval' as const, minutes: s.schedule.hours * 60 }
            : s.schedule.kind === 'daily'
              ? { kind: 'daily' as const, times: [s.schedule.time] }
              : null;
        await call('sources.setSchedule', { id: source.id, schedule });
      }
      return undefined;
    },
    render: (p) => <ScheduleStep {...p} />,
  },
  {
    id: 'privacy',
    title: 'Privacy',
    blocker: () => null,
    leave: async (s, { call }) => {
      // Only what was ticked is recorded as given; nothing optional is on by default.
      if (s.usageStatistics) await call('consent.set', { purpose: 'usage-statistics', given: true, via: 'app' });
      if (s.productNews) await call('consent.set', { purpose: 'product-news', given: true, via: 'app' });
      return undefined;
    },
    render: (p) => <PrivacyStep {...p} />,
  },
  { id: 'done', title: 'Done', blocker: () => null, render: (p) => <DoneStep {...p} /> },
];

function initialSetup(): Setup {
  return {
    mode: 'create',
    kind: 'folder',
    location: '',
    label: '',
    region: 'this-device',
    password: '',
    confirmation: '',
    repository: null,
    kit: null,
    kitSaved: false,
    folders: [],
    presets: new Set<PresetId>(['caches', 'temp']),
    schedule: { kind: 'hourly', hours: 1 },
    usageStatistics: false,
    productNews: false,
  };
}

export function FirstRun() {
  const call = useApp((state) => state.call);
  const hasRepositories = useApp((state) => (state.status?.repositories.length ?? 0) > 0);
  const [setup, setSetup] = useState<Setup>(initialSetup);
  const [index, setIndex] = useState(0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const steps = STEPS.filter((s) => !s.applies || s.applies(setup));
  const step = steps[Math.min(index, steps.length - 1)] as Step;
  const position = steps.indexOf(step);
  const blocker = step.blocker(setup);
  const last = position === steps.length - 1;
  // Steps before the repository exists can be revisited; after it, going back would make another.
  const canGoBack = position > 0 && !(setup.repository && steps[position - 1]?.id === 'password');

  const update = (change: Partial<Setup>) => setSetup((s) => ({ ...s, ...change }));

  async function next() {
    if (blocker) return;
    setBusy(true);
    setError(null);
    try {
      const change = await step.leave?.(setup, { call });
      const merged = { ...setup, ...change };
      if (change) setSetup(merged);
      const following = STEPS.filter((s) => !s.applies || s.applies(merged));
      setIndex(following.indexOf(step) + 1);
      requestAnimationFrame(() => headingRef.current?.focus());
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  }

  function back() {
    setError(null);
    setIndex(position - 1);
    requestAnimationFrame(() => headingRef.current?.focus());
  }

  return (
    <div className="screen first-run">
      <h1>{hasRepositories && !setup.repository ? 'Add a repository' : 'Set up Cairn'}</h1>
      <ol className="steps" aria-label="Steps">
        {steps.map((s, i) => (
          <li key={s.id} aria-current={i === position ? 'step' : undefined}>
            {i + 1}. {s.title}
          </li>
        ))}
      </ol>
      <section className="panel wizard-step" aria-labelledby="step-heading">
        <h2 id="step-heading" ref={headingRef} tabIndex={-1}>
          {step.title}
        </h2>
        {step.render({ setup, update })}
        {error && (
          <p className="error-text" role="alert">
            {error}
          </p>
        )}
        {!last && (
          <div className="wizard-actions">
            {canGoBack && (
              <button type="button" onClick={back} disabled={busy}>
                Back
              </button>
            )}
            <button
              type="button"
              className="primary"
              onClick={() => void next()}
              disabled={blocker !== null || busy}
              aria-busy={busy}
              aria-describedby={blocker ? 'step-blocker' : undefined}
            >
              {step.id === 'password'
                ? setup.mode === 'create'
                  ? 'Create repository'
                  : 'Connect'
                : step.id === 'privacy'
                  ? 'Finish'
                  : 'Continue'}
            </button>
            {blocker && (
              <span id="step-blocker" className="muted">
                {blocker}
              </span>
            )}
          </div>
        )}
      </section>
    </div>
  );
}

function StorageStep({ setup, update }: StepProps) {
  const id = useId();
  return (
    <div className="form">
      <fieldset className="choice">
        <legend>What do you want to do?</legend>
        <ul className="choice-list">
          <li>
            <label>
              <input
                type="radio"
                name={`${id}-mode`}
                checked={setup.mode === 'create'}
                onChange={() => update({ mode: 'create' })}
              />
              Create a new repository
            </label>
          </li>
          <li>
            <label>
              <input
                type="radio"
                name={`${id}-mode`}
                checked={setup.mode === 'connect'}
                onChange={() => update({ mode: 'connect' })}
              />
              Connect a repository that already exists
            </label>
          </li>
        </ul>
      </fieldset>
      <fieldset className="choice">
        <legend>Where is it?</legend>
        <ul className="choice-list">
          <li>
            <label>
              <input
                type="radio"
                name={`${id}-kind`}
                checked={setup.kind === 'folder'}
                onChange={() => update({ kind: 'folder' })}
              />
              A folder on this computer
            </label>
          </li>
          <li>
            <label>
              <input
                type="radio"
                name={`${id}-kind`}
                checked={setup.kind === 'drive'}
                onChange={() => update({ kind: 'drive' })}
              />
              An external drive
            </label>
          </li>
        </ul>
      </fieldset>
      <FolderPicker
        label="Storage folder"
        value={setup.location}
        onChange={(location) => update({ location })}
        hint={
          setup.mode === 'create'
            ? 'Cairn creates the repository in this folder (a new or empty folder works best).'
            : 'The folder that holds the repository.'
        }
      />
      <label htmlFor={`${id}-label`}>Name</label>
      <input
        id={`${id}-label`}
        value={setup.label}
        placeholder={setup.kind === 'drive' ? 'Backup drive' : 'Backups'}
        onChange={(event) => update({ label: event.target.value })}
      />
      <label htmlFor={`${id}-region`}>Region where the data is stored</label>
      <select
        id={`${id}-region`}
        value={setup.region}
        onChange={(event) => update({ region: event.target.value as RegionCode })}
      >
        {REGIONS.map((code) => (
          <option key={code} value={code}>
            {REGION_NAMES[code]}
          </option>
        ))}
      </select>
      <p className="hint">
        Cairn records this so your data never leaves the region you chose without your instruction.
      </p>
    </div>
  );
}

function PasswordStep({ setup, update }: StepProps) {
  const id = useId();
  const strength = passwordStrength(setup.password);
  if (setup.repository) {
    return <p className="success-text">“{setup.repository.label}” is ready. Continue with the next step.</p>;
  }
  return (
    <div className="form">
      <p>
        {setup.mode === 'create'
          ? 'The password protects the keys that encrypt your backups. Without it (or the recovery key) nobody can read them, including you.'
          : 'Enter the password of the repository.'}
      </p>
      <label htmlFor={`${id}-password`}>Password</label>
      <input
        id={`${id}-password`}
        type="password"
        autoComplete={setup.mode === 'create' ? 'new-password' : 'current-password'}
        value={setup.password}
        aria-describedby={setup.mode === 'create' ? `${id}-strength` : undefined}
        onChange={(event) => update({ password: event.target.value })}
      />
      {setup.mode === 'create' && (
        <>
          <div className="strength" id={`${id}-strength`}>
            <meter min={0} max={4} low={2} high={3} optimum={4} value={strength.score} aria-label="Password strength" />
            <span>Strength: {strength.label}</span>
          </div>
          {setup.password !== '' && strength.score < 2 && (
            <p className="hint">A longer password, such as several unrelated words, is much harder to guess.</p>
          )}
          <label htmlFor={`${id}-confirm`}>Confirm password</label>
          <input
            id={`${id}-confirm`}
            type="password"
            autoComplete="new-password"
            value={setup.confirmation}
            onChange={(event) => update({ confirmation: event.target.value })}
          />
          {setup.confirmation !== '' && setup.confirmation !== setup.password && (
            <p className="error-text">The two passwords are not the same.</p>
          )}
        </>
      )}
    </div>
  );
}

function RecoveryKitStep({ setup, update }: StepProps) {
  const call = useApp((state) => state.call);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = useId();

  async function make() {
    if (!setup.repository) return;
    setBusy(true);
    setError(null);
    try {
      update({ kit: await call('keys.createRecoveryKey', { repositoryId: setup.repository.id }) });
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  }

  if (!setup.kit) {
    return (
      <div>
        <p>
          A recovery key opens the repository if the password is forgotten. Cairn shows it once, on a page you can
          print.
        </p>
        <button type="button" className="primary" onClick={() => void make()} disabled={busy} aria-busy={busy}>
          Make the recovery kit
        </button>
        {error && (
          <p className="error-text" role="alert">
            {error}
          </p>
        )}
      </div>
    );
  }
  return (
    <div>
      <RecoveryKit kit={setup.kit} region={setup.region} />
      <p className="confirm-row">
        <input
          id={`${id}-saved`}
          type="checkbox"
          checked={setup.kitSaved}
          onChange={(event) => update({ kitSaved: event.target.checked })}
        />
        <label htmlFor={`${id}-saved`}>I printed or wrote down the recovery key</label>
      </p>
    </div>
  );
}

function FoldersStep({ setup, update }: StepProps) {
  const [candidate, setCandidate] = useState('');
  const add = (path: string) => {
    const trimmed = path.trim();
    if (trimmed && !setup.folders.includes(trimmed)) update({ folders: [...setup.folders, trimmed] });
    setCandidate('');
  };
  return (
    <div className="form">
      <p>Choose the folders Cairn backs up. Everything inside them is included, except what you exclude next.</p>
      <FolderPicker label="Folder to back up" value={candidate} onChange={setCandidate} />
      <div className="button-row">
        <button type="button" onClick={() => add(candidate)} disabled={candidate.trim() === ''}>
          Add folder
        </button>
      </div>
      {setup.folders.length === 0 ? (
        <p className="muted">No folder chosen yet.</p>
      ) : (
        <ul className="chosen-folders" aria-label="Folders to back up">
          {setup.folders.map((folder) => (
            <li key={folder}>
              <span className="path">{folder}</span>
              <button
                type="button"
                aria-label={`Remove ${folder}`}
                onClick={() => update({ folders: setup.folders.filter((f) => f !== folder) })}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function ExclusionsStep({ setup, update }: StepProps) {
  const toggle = (id: PresetId, on: boolean) => {
    const presets = new Set(setup.presets);
    if (on) presets.add(id);
    else presets.delete(id);
    update({ presets });
  };
  return (
    <fieldset className="choice">
      <legend>Leave out what does not need a backup</legend>
      <ul className="choice-list">
        {EXCLUSION_PRESETS.map((preset) => (
          <li key={preset.id}>
            <label>
              <input
                type="checkbox"
                checked={setup.presets.has(preset.id)}
                onChange={(event) => toggle(preset.id, event.target.checked)}
              />
              <span>
                <strong>{preset.title}</strong> — {preset.description} <code>{preset.patterns.join(' ')}</code>
              </span>
            </label>
          </li>
        ))}
      </ul>
      <p className="hint">A .cairnignore file in any folder can leave out more.</p>
    </fieldset>
  );
}

function ScheduleStep({ setup, update }: StepProps) {
  const id = useId();
  const s = setup.schedule;
  return (
    <fieldset className="choice">
      <legend>When should Cairn back up?</legend>
      <ul className="choice-list">
        <li>
          <label>
            <input
              type="radio"
              name={`${id}-kind`}
              checked={s.kind === 'hourly'}
              onChange={() => update({ schedule: { kind: 'hourly', hours: 1 } })}
            />
            Every
          </label>{' '}
          <select
            aria-label="Hours between backups"
            value={s.kind === 'hourly' ? s.hours : 1}
            disabled={s.kind !== 'hourly'}
            onChange={(event) => update({ schedule: { kind: 'hourly', hours: Number(event.target.value) } })}
          >
            {[1, 2, 4, 6, 12].map((h) => (
              <option key={h} value={h}>
                {h === 1 ? 'hour' : `${h} hours`}
              </option>
            ))}
          </select>
        </li>
        <li>
          <label>
            <input
              type="radio"
              name={`${id}-kind`}
              checked={s.kind === 'daily'}
              onChange={() => update({ schedule: { kind: 'daily', time: '12:00' } })}
            />
            Every day at
          </label>{' '}
          <input
            type="time"
            aria-label="Time of the daily backup"
            value={s.kind === 'daily' ? s.time : '12:00'}
            disabled={s.kind !== 'daily'}
            onChange={(event) => update({ schedule: { kind: 'daily', time: event.target.value || '12:00' } })}
          />
        </li>
        <li>
          <label>
            <input
              type="radio"
              name={`${id}-kind`}
              checked={s.kind === 'manual'}
              onChange={() => update({ schedule: { kind: 'manual' } })}
            />
            Only when I press “Back up now”
          </label>
        </li>
      </ul>
      <p className="hint">A backup missed while the computer was off or asleep runs once when it wakes up.</p>
    </fieldset>
  );
}

function DoneStep({ setup }: StepProps) {
  const navigate = useApp((state) => state.navigate);
  return (
    <div>
      <p className="success-text">Cairn is set up.</p>
      <p>
        {setup.folders.length === 1 ? '1 folder is' : `${setup.folders.length} folders are`} backed up to “
        {setup.repository?.label}”
        {setup.schedule.kind === 'manual'
          ? ' when you ask.'
          : setup.schedule.kind === 'daily'
            ? ` every day at ${setup.schedule.time}.`
            : setup.schedule.hours === 1
              ? ' every hour.'
              : ` every ${setup.schedule.hours} hours.`}{' '}
        The first backup can start now.
      </p>
      <button type="button" className="primary" onClick={() => navigate('dashboard')}>
        Go to the Dashboard
      </button>
    </div>
  );
}
