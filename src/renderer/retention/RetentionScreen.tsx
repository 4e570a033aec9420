/**
 * The "Retention and schedule" screen: for the chosen repository, the retention policy with its
 * live preview, and the schedule, battery condition and pause of each of its folders. Opened for
 * a repository (a folder's "Schedule…" on the Dashboard hands its repository over), that one is
 * chosen. Loading, failure, no repository and a locked repository each have their own state.
 */
import { useId, useState } from 'react';
import { Loadable } from '../common/Loadable.js';
import type { AppStatusData } from '../store.js';
import { useApp, useAppStatus } from '../storeContext.js';
import { PolicyEditor } from './PolicyEditor.js';
import { SchedulePanel } from './SchedulePanel.js';
import './retention.css';

export function RetentionScreen() {
  const appStatus = useAppStatus();
  return (
    <div className="screen retention-screen">
      <h1>Retention and schedule</h1>
      <Loadable request={appStatus} what="the status">
        {(status) => <ForRepository status={status} />}
      </Loadable>
    </div>
  );
}

/** The chosen repository's policy and schedules (a picker when there are several). */
function ForRepository({ status }: { status: AppStatusData }) {
  const handedOver = useApp((state) => state.handoff?.repositoryId ?? null);
  const [chosen, setChosen] = useState<string | null>(handedOver);
  const id = useId();
  const repositories = status.repositories;
  const repo = repositories.find((r) => r.id === chosen) ?? repositories[0];

  return (
    <>
      {!repo && (
        <section className="panel empty" aria-labelledby={`${id}-empty`}>
          <h2 id={`${id}-empty`}>No repository yet</h2>
          <p>Connect a repository on the Dashboard; its retention policy and schedules are set here.</p>
        </section>
      )}
      {repo && (
        <>
          {repositories.length > 1 && (
            <div className="repo-picker">
              <label htmlFor={`${id}-repo`}>Repository</label>
              <select id={`${id}-repo`} value={repo.id} onChange={(event) => setChosen(event.target.value)}>
                {repositories.map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.label}
                  </option>
                ))}
              </select>
            </div>
          )}
          {!repo.unlocked && (
            <p className="notice" role="status">
              {repo.label} is locked. You can change its policy and schedules; unlock it on the Dashboard to preview or
              apply the policy.
            </p>
          )}
          <section className="panel" aria-labelledby={`${id}-retention`}>
            <h2 id={`${id}-retention`}>Retention policy</h2>
            <PolicyEditor key={repo.id} repo={repo} status={status} />
          </section>
          <section className="panel" aria-labelledby={`${id}-schedule`}>
            <h2 id={`${id}-schedule`}>Schedule and conditions</h2>
            <SchedulePanel key={repo.id} repo={repo} status={status} />
          </section>
        </>
      )}
    </>
  );
}
