/**
 * What a repository protects, editable at any time after first run: its folders (add one with the
 * same folder picker as first run, remove one), each folder's excludes with first run's presets
 * (and patterns of one's own), and a link to its schedule on the "Retention and schedule" screen.
 */
import { useEffect, useRef, useState } from 'react';
import type { z } from 'zod';
import type { Source } from '../../contract/schemas.js';
import { FolderPicker } from '../common/FolderPicker.js';
import { Loadable } from '../common/Loadable.js';
import { EXCLUSION_PRESETS } from '../first-run/presets.js';
import { useApp } from '../storeContext.js';
import { useRequest } from '../useRequest.js';

type SourceData = z.output<typeof Source>;

function scheduleText(source: SourceData): string {
  const s = source.schedule as { kind?: string; minutes?: number; times?: string[] } | null;
  if (!s) return 'Backed up when you choose "Back up now"';
  if (s.kind === 'interval' && s.minutes)
    return s.minutes % 60 === 0 ? `Every ${s.minutes / 60} hour(s)` : `Every ${s.minutes} minutes`;
  if (s.kind === 'daily' && s.times) return `Daily at ${s.times.join(', ')}`;
  return 'On a schedule';
}

/** The presets a list of patterns holds whole, and the patterns no preset holds. */
function splitExcludes(excludes: string[]): { presets: Set<string>; custom: string[] } {
  const presets = new Set(
    EXCLUSION_PRESETS.filter((p) => p.patterns.every((pattern: string) => excludes.includes(pattern))).map((p) => p.id),
  );
  const covered = new Set<string>(EXCLUSION_PRESETS.filter((p) => presets.has(p.id)).flatMap((p) => [...p.patterns]));
  return { presets, custom: excludes.filter((e) => !covered.has(e)) };
}

function ExcludesEditor({
  source,
  onSaved,
  onClose,
}: {
  source: SourceData;
  onSaved: () => void;
  onClose: () => void;
}) {
  const request = useApp((state) => state.request);
  const initial = splitExcludes(source.excludes);
  const [presets, setPresets] = useState<Set<string>>(initial.presets);
  const [custom, setCustom] = useState(initial.custom.join('\n'));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const customId = `excludes-custom-${source.id}`;

  async function save() {
    setBusy(true);
    setError(null);
    const excludes = [
      ...EXCLUSION_PRESETS.filter((p) => presets.has(p.id)).flatMap((p) => [...p.patterns]),
      ...custom.split('\n').map((line) => line.trim()),
    ].filter((e) => e !== '');
    try {
      await request('sources.setExcludes', { id: source.id, excludes });
      onSaved();
      onClose();
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <fieldset className="excludes-editor">
      <legend>Exclude from {source.path}</legend>
      {EXCLUSION_PRESETS.map((preset) => (
        <label key={preset.id} className="checkbox">
          <input
            type="checkbox"
            checked={presets.has(preset.id)}
            onChange={(event) => {
              const next = new Set(presets);
              if (event.target.checked) next.add(preset.id);
              else next.delete(preset.id);
              setPresets(next);
            }}
          />{' '}
          {preset.title} <span className="muted">— {preset.description}</span>
        </label>
      ))}
      <label htmlFor={customId}>Other patterns, one a line</label>
      <textarea id={customId} rows={3} value={custom} onChange={(event) => setCustom(event.target.value)} />
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      <div className="button-row">
        <button type="button" className="primary" disabled={busy} onClick={() => void save()}>
          Save excludes
        </button>
        <button type="button" disabled={busy} onClick={onClose}>
          Cancel
        </button>
      </div>
    </fieldset>
  );
}

function FolderItem({ source, reload }: { source: SourceData; reload: () => void }) {
  const request = useApp((state) => state.request);
  const navigate = useApp((state) => state.navigate);
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function remove() {
    setError(null);
    try {
      await request('sources.remove', { id: source.id });
      reload();
    } catch (failure) {
      setError((failure as Error).message);
    }
  }

  return (
    <li className="protected-folder">
      <span className="path">{source.path}</span>
      <span className="muted">
        {' '}
        · {scheduleText(source)} ·{' '}
        {source.excludes.length === 0 ? 'nothing excluded' : `${source.excludes.length} exclude pattern(s)`}
      </span>
      <div className="button-row">
        <button type="button" aria-label={`Edit excludes of ${source.path}`} onClick={() => setEditing(!editing)}>
          Excludes…
        </button>
        <button
          type="button"
          aria-label={`Change schedule of ${source.path}`}
          onClick={() => navigate('retention', { repositoryId: source.repositoryId })}
        >
          Schedule…
        </button>
        <button type="button" aria-label={`Remove ${source.path} from the backups`} onClick={() => void remove()}>
          Remove
        </button>
      </div>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {editing && <ExcludesEditor source={source} onSaved={reload} onClose={() => setEditing(false)} />}
    </li>
  );
}

function AddFolder({ repositoryId, label, onAdded }: { repositoryId: string; label: string; onAdded: () => void }) {
  const request = useApp((state) => state.request);
  const [candidate, setCandidate] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function add() {
    setBusy(true);
    setError(null);
    try {
      await request('sources.add', { repositoryId, path: candidate.trim(), excludes: [] });
      setCandidate('');
      onAdded();
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="add-folder">
      <FolderPicker label={`Folder to add to ${label}`} value={candidate} onChange={setCandidate} />
      <div className="button-row">
        <button type="button" disabled={busy || candidate.trim() === ''} onClick={() => void add()}>
          Add folder
        </button>
      </div>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

export function ProtectedFolders({ repositoryId, label }: { repositoryId: string; label: string }) {
  const request = useApp((state) => state.request);
  const sources = useRequest(() => request('sources.list', { repositoryId }), [repositoryId, request]);
  const [adding, setAdding] = useState(false);
  const headingId = `folders-${repositoryId}`;
  // Sent here by the status card's "Choose folders": the Add a folder form opens in view.
  const handoff = useApp((state) => state.handoff);
  const sentHere = handoff?.focus === 'folders' && handoff.repositoryId === repositoryId ? handoff : null;
  const section = useRef<HTMLElement>(null);
  useEffect(() => {
    if (!sentHere) return;
    setAdding(true);
    section.current?.scrollIntoView({ block: 'center' });
  }, [sentHere]);

  return (
    <section ref={section} className="protected-folders" aria-labelledby={headingId}>
      <h4 id={headingId}>Folders</h4>
      <Loadable request={sources} what="the folders" compact>
        {(list) =>
          list.length === 0 ? (
            <p className="muted">No folder yet.</p>
          ) : (
            <ul aria-label={`Folders backed up to ${label}`}>
              {list.map((source) => (
                <FolderItem key={source.id} source={source} reload={sources.reload} />
              ))}
            </ul>
          )
        }
      </Loadable>
      {adding ? (
        <AddFolder repositoryId={repositoryId} label={label} onAdded={sources.reload} />
      ) : (
        <button type="button" onClick={() => setAdding(true)}>
          Add a folder…
        </button>
      )}
    </section>
  );
}
