/**
 * The retention policy of one repository: its fields, a live preview (debounced
 * `retention.preview`: which recovery points would go and the bytes a prune would free), Save
 * (`retention.set`), Remove, and "Apply now" (`retention.apply`) after a confirmation.
 */
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import type { Result } from '../../contract/methods.js';
import { Loadable } from '../common/Loadable.js';
import { formatBytes } from '../format.js';
import type { AppStatusData } from '../store.js';
import { useApp } from '../storeContext.js';
import { useRequest } from '../useRequest.js';
import { formatDateTime } from '../when.js';
import {
  COUNT_FIELDS,
  EMPTY_FIELDS,
  type FieldErrors,
  type FieldName,
  fieldOfError,
  fieldsFromPolicy,
  type PolicyFields,
  policyFromFields,
} from './policyForm.js';

type Repository = AppStatusData['repositories'][number];
type Preview = Result<'retention.preview'>;
type PreviewState = { state: 'idle' } | { state: 'loading' } | { state: 'ready'; preview: Preview };

const PREVIEW_DELAY_MS = 350;

function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <p id={id} className="field-error error-text">
      {message}
    </p>
  );
}

function PreviewPanel({ preview }: { preview: Preview }) {
  const removes = preview.remove.length;
  const total = removes + preview.keep.length;
  return (
    <>
      <p className="preview-summary">
        {removes === 0
          ? `Nothing would be removed: all ${total} recovery point${total === 1 ? '' : 's'} are kept.`
          : `${removes} of ${total} recovery points would be removed, freeing about ${formatBytes(preview.reclaimBytes)}.`}
      </p>
      {removes > 0 && (
        <>
          <h4>Would be removed</h4>
          <ul className="points points-remove" aria-label="Recovery points that would be removed">
            {preview.remove.map((point) => (
              <li key={point.id}>
                {formatDateTime(point.time)} <span className="muted path">{point.id.slice(0, 8)}</span>
              </li>
            ))}
          </ul>
        </>
      )}
      <h4>Kept</h4>
      <ul className="points" aria-label="Recovery points that are kept">
        {preview.keep.map((point) => (
          <li key={point.id}>
            {formatDateTime(point.time)} <span className="muted path">{point.id.slice(0, 8)}</span>{' '}
            <span className="muted">— {point.reasons.join(', ')}</span>
          </li>
        ))}
      </ul>
    </>
  );
}

export function PolicyEditor({ repo, status }: { repo: Repository; status: AppStatusData }) {
  const request = useApp((state) => state.request);
  const stored = useRequest(() => request('retention.get', { repositoryId: repo.id }), [repo.id]);
  const [fields, setFields] = useState<PolicyFields>(EMPTY_FIELDS);
  const [prune, setPrune] = useState(true);
  const [dirty, setDirty] = useState(false);
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});
  const [preview, setPreview] = useState<PreviewState>({ state: 'idle' });
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [applyTask, setApplyTask] = useState<string | null>(null);
  const [applyError, setApplyError] = useState<string | null>(null);
  const task = useApp((state) => (applyTask ? state.tasks[applyTask] : undefined));
  const id = useId();
  const cancelRef = useRef<HTMLButtonElement>(null);

  // Keyboard users land in the confirmation when it opens (on the safe choice).
  useEffect(() => {
    if (confirming) cancelRef.current?.focus();
  }, [confirming]);

  // The stored policy fills the form when it arrives (and again after a save or removal).
  useEffect(() => {
    if (stored.state !== 'ready') return;
    setFields(fieldsFromPolicy(stored.data?.policy ?? null));
    setPrune(stored.data?.prune ?? true);
    setDirty(false);
  }, [stored.state, stored.data]);

  const { policy, errors: localErrors } = policyFromFields(fields);
  const policyKey = policy ? JSON.stringify(policy) : null;
  const errors: FieldErrors = { ...serverErrors, ...localErrors };

  // Live preview, debounced; re-run when the repository changes (a backup or clean-up finished).
  // biome-ignore lint/correctness/useExhaustiveDependencies: policyKey stands for policy; status is the refresh trigger.
  useEffect(() => {
    setServerErrors({});
    if (!policyKey || !repo.unlocked) {
      setPreview({ state: 'idle' });
      return;
    }
    let current = true;
    setPreview((p) => (p.state === 'ready' ? p : { state: 'loading' }));
    const timer = window.setTimeout(() => {
      request('retention.preview', { repositoryId: repo.id, policy: JSON.parse(policyKey) })
        .then((result) => {
          if (current) setPreview({ state: 'ready', preview: result });
        })
        .catch((error: Error) => {
          if (!current) return;
          setPreview({ state: 'idle' });
          setServerErrors({ [fieldOfError(error.message)]: error.message });
        });
    }, PREVIEW_DELAY_MS);
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [policyKey, repo.id, repo.unlocked, status, request]);

  function change(name: FieldName, value: string) {
    setFields({ ...fields, [name]: value });
    setDirty(true);
    setSaved(null);
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    if (!policy) return;
    setSaving(true);
    setSaved(null);
    try {
      await request('retention.set', { repositoryId: repo.id, policy, prune });
      setSaved('The policy is saved. It is applied after each scheduled backup, or now with "Apply now".');
      stored.reload();
    } catch (error) {
      const message = (error as Error).message;
      setServerErrors({ [fieldOfError(message)]: message });
    } finally {
      setSaving(false);
    }
  }

  async function removePolicy() {
    setSaving(true);
    try {
      await request('retention.set', { repositoryId: repo.id, policy: null });
      setSaved('The policy is removed: every recovery point is kept.');
      stored.reload();
    } catch (error) {
      setServerErrors({ form: (error as Error).message });
    } finally {
      setSaving(false);
    }
  }

  async function apply() {
    setConfirming(false);
    setApplyError(null);
    try {
      const { taskId } = await request('retention.apply', { repositoryId: repo.id });
      setApplyTask(taskId);
    } catch (error) {
      setApplyError((error as Error).message);
    }
  }

  const hasStored = stored.state === 'ready' && stored.data !== null;
  const applyBlocked = !hasStored
    ? 'Save a policy first.'
    : dirty
      ? 'Save your changes first: "Apply now" applies the saved policy.'
      : !repo.unlocked
        ? `Unlock ${repo.label} on the Dashboard first.`
        : null;
  const describedBy = (name: FieldName) => (errors[name] ? `${id}-${name}-error` : `${id}-${name}-hint`);
  const ready = preview.state === 'ready' ? preview.preview : null;

  return (
    <Loadable request={stored} what="the retention policy">
      {() => (
        <div className="policy">
          <form
            className="policy-form"
            onSubmit={(event) => void save(event)}
            aria-label={`Retention policy of ${repo.label}`}
          >
            <p className="hint">
              {hasStored
                ? 'The saved policy is shown.'
                : `${repo.label} has no policy yet: every recovery point is kept.`}{' '}
              Empty fields are not used.
            </p>
            <div className="policy-grid">
              {COUNT_FIELDS.map(([name, label, unit]) => (
                <div key={name} className="field">
                  <label htmlFor={`${id}-${name}`}>{label}</label>
                  <input
                    id={`${id}-${name}`}
                    inputMode="numeric"
                    value={fields[name]}
                    aria-invalid={errors[name] ? true : undefined}
                    aria-describedby={describedBy(name)}
                    onChange={(event) => change(name, event.target.value)}
                  />
                  <span id={`${id}-${name}-hint`} className="hint">
                    {unit}
                  </span>
                  <FieldError id={`${id}-${name}-error`} message={errors[name]} />
                </div>
              ))}
              <div className="field">
                <label htmlFor={`${id}-within`}>Keep everything within</label>
                <input
                  id={`${id}-within`}
                  value={fields.within}
                  placeholder="e.g. 30d"
                  aria-invalid={errors.within ? true : undefined}
                  aria-describedby={describedBy('within')}
                  onChange={(event) => change('within', event.target.value)}
                />
                <span id={`${id}-within-hint`} className="hint">
                  of the newest point, e.g. 30d, 6m, 1y
                </span>
                <FieldError id={`${id}-within-error`} message={errors.within} />
              </div>
              <div className="field">
                <label htmlFor={`${id}-tags`}>Keep points tagged</label>
                <input
                  id={`${id}-tags`}
                  value={fields.tags}
                  placeholder="e.g. important, yearly"
                  aria-describedby={describedBy('tags')}
                  onChange={(event) => change('tags', event.target.value)}
                />
                <span id={`${id}-tags-hint`} className="hint">
                  tags, separated by commas
                </span>
                <FieldError id={`${id}-tags-error`} message={errors.tags} />
              </div>
            </div>
            <label className="check">
              <input
                type="checkbox"
                checked={prune}
                onChange={(event) => {
                  setPrune(event.target.checked);
                  setDirty(true);
                }}
              />
              Free the space of removed recovery points right away (prune)
            </label>
            <p className="notice-line">The newest recovery point is never removed by a policy.</p>
            {errors.form && (
              <p className="error-text" role="alert">
                {errors.form}
              </p>
            )}
            <div className="form-actions">
              <button type="submit" className="primary" disabled={!policy || saving} aria-busy={saving}>
                Save policy
              </button>{' '}
              {hasStored && (
                <button type="button" disabled={saving} onClick={() => void removePolicy()}>
                  Remove policy
                </button>
              )}{' '}
              <button
                type="button"
                disabled={applyBlocked !== null}
                aria-describedby={applyBlocked ? `${id}-apply-why` : undefined}
                onClick={() => setConfirming(true)}
              >
                Apply now
              </button>
              {applyBlocked && (
                <span id={`${id}-apply-why`} className="muted">
                  {' '}
                  {applyBlocked}
                </span>
              )}
            </div>
            {saved && (
              <p className="success-text" role="status">
                {saved}
              </p>
            )}
          </form>

          {confirming && (
            <div className="panel confirm" role="alertdialog" aria-labelledby={`${id}-confirm`} aria-modal="false">
              <p id={`${id}-confirm`}>
                {ready && !dirty
                  ? `Remove ${ready.remove.length} recovery point${ready.remove.length === 1 ? '' : 's'} of ${repo.label} now${prune ? `, freeing about ${formatBytes(ready.reclaimBytes)}` : ''}?`
                  : `Apply the saved policy to ${repo.label} now?`}{' '}
                This cannot be undone.
              </p>
              <button type="button" className="danger" onClick={() => void apply()}>
                Remove recovery points
              </button>{' '}
              <button type="button" ref={cancelRef} onClick={() => setConfirming(false)}>
                Cancel
              </button>
            </div>
          )}
          {applyError && (
            <p className="error-text" role="alert">
              {applyError}
            </p>
          )}
          {task && (
            <p className={task.status === 'failed' ? 'error-text' : 'muted'} role="status">
              {task.status === 'succeeded'
                ? `Clean-up finished: ${task.messages.join('; ')}`
                : task.status === 'failed'
                  ? `Clean-up failed: ${task.error ?? ''}`
                  : 'Clean-up running…'}
            </p>
          )}

          <section className="preview" aria-labelledby={`${id}-preview`} aria-live="polite">
            <h3 id={`${id}-preview`}>Preview</h3>
            {!repo.unlocked && (
              <p className="muted">Unlock {repo.label} on the Dashboard to preview which recovery points would go.</p>
            )}
            {repo.unlocked && !policy && <p className="muted">Fill in the policy to see what it would remove.</p>}
            {repo.unlocked && policy && preview.state === 'loading' && (
              <p className="muted">Working out the preview…</p>
            )}
            {repo.unlocked && policy && ready && <PreviewPanel preview={ready} />}
          </section>
        </div>
      )}
    </Loadable>
  );
}
