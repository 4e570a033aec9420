/**
 * The app frame: a left navigation and the current screen (kept in the store, so screens can
 * send the user on, e.g. from a recovery point to the restore wizard). While no repository is
 * known, the app opens on First run instead of the Dashboard; First run stays reachable to add
 * another repository. A refused token replaces everything with how to open Cairn properly.
 */
import { type ReactNode, useEffect, useRef } from 'react';
import { Dashboard } from './dashboard/Dashboard.js';
import { FirstRun } from './first-run/FirstRun.js';
import { IncidentBanner } from './privacy/IncidentBanner.js';
import { PrivacyScreen } from './privacy/Privacy.js';
import { RecoveryPoints } from './recovery-points/RecoveryPoints.js';
import { Restore } from './restore/Restore.js';
import { RetentionScreen } from './retention/RetentionScreen.js';
import { Settings } from './settings/Settings.js';
import type { ScreenId } from './store.js';
import { useApp } from './storeContext.js';
import { ThemeSwitch } from './ThemeSwitch.js';

/** Every screen, in the navigation's order; a ScreenId without its entry does not compile. */
const SCREENS: { readonly [S in ScreenId]: { title: string; render: () => ReactNode } } = {
  dashboard: { title: 'Dashboard', render: () => <Dashboard /> },
  'recovery-points': { title: 'Recovery points', render: () => <RecoveryPoints /> },
  restore: { title: 'Restore', render: () => <Restore /> },
  retention: { title: 'Retention and schedule', render: () => <RetentionScreen /> },
  privacy: { title: 'Privacy', render: () => <PrivacyScreen /> },
  settings: { title: 'Settings', render: () => <Settings /> },
  'first-run': { title: 'Add a repository', render: () => <FirstRun /> },
};
const SCREEN_ORDER = Object.keys(SCREENS) as ScreenId[];

function NotAuthorized() {
  return (
    <main className="not-authorized">
      <h1>Not authorized</h1>
      <p>This page was opened without its access key, so Cairn refused to answer.</p>
      <p>
        Open the link that <code>cairn serve</code> printed when it started (it ends in <code>#token=…</code>), or
        restart <code>cairn serve</code> to get a new link.
      </p>
    </main>
  );
}

/** Opens First run once, when the first status shows that no repository is known yet. */
function useFirstRunRedirect(): void {
  const status = useApp((state) => state.status);
  const navigate = useApp((state) => state.navigate);
  const decided = useRef(false);
  useEffect(() => {
    if (decided.current || !status) return;
    decided.current = true;
    if (status.repositories.length === 0) navigate('first-run');
  }, [status, navigate]);
}

export function App() {
  const notAuthorized = useApp((state) => state.notAuthorized);
  const current = useApp((state) => state.screen);
  const navigate = useApp((state) => state.navigate);
  useFirstRunRedirect();
  if (notAuthorized) return <NotAuthorized />;
  return (
    <div className="app">
      <nav className="sidebar" aria-label="Main">
        <p className="brand">Cairn</p>
        <ul>
          {SCREEN_ORDER.map((id) => (
            <li key={id}>
              <button
                type="button"
                className="nav-item"
                aria-current={id === current ? 'page' : undefined}
                onClick={() => navigate(id)}
              >
                {SCREENS[id].title}
              </button>
            </li>
          ))}
        </ul>
        <ThemeSwitch />
      </nav>
      <main className="content">
        <IncidentBanner />
        {SCREENS[current].render()}
      </main>
    </div>
  );
}
