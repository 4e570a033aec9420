/**
 * First run: set up where backups go and what is backed up, as a list of clear steps (STEPS in
 * step-list.tsx; a step is one entry there and one view in steps/, so a later one such as a
 * privacy notice is a few lines). Storage: create a repository in a local folder or on an external
 * drive, or connect an existing one, with its region; password with a strength meter and
 * confirmation; the recovery kit (new repositories); folders; exclusion presets; schedule; the
 * privacy notice with its optional, unticked choices. This frame shows the list of steps, the
 * current one with its error, and Back / Continue, which runs the step's `leave` first.
 */
import { useRef, useState } from 'react';
import { useApp } from '../storeContext.js';
import { initialSetup, type Setup } from './setup.js';
import { STEPS, type Step } from './step-list.js';
import '../common/common.css';
import './first-run.css';

export function FirstRun() {
  const request = useApp((state) => state.request);
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
      const change = await step.leave?.(setup, { request });
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
