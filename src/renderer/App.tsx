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
import { useApp } from './storeContext.js';
import { ThemeSwitch } from './ThemeSwitch.js';

const SCREENS: { id: string; title: string; render: () => ReactNode }[] = [
  { id: 'dashboard', title: 'Dashboard', render: () => <Dashboard /> },
  { id: 'recovery-points', title: 'Recovery points', render: () => <RecoveryPoints /> },
  { id: 'restore', title: 'Restore', render: () => <Restore /> },
  { id: 'retention', title: 'Retention and schedule', render: () => <RetentionScreen /> },
  { id: 'privacy', title: 'Privacy', render: () => <PrivacyScreen /> },
  { id: 'settings', title: 'Settings', render: () => <Settings /> },
  { id: 'first-run', title: 'Add a repository', render: () => <FirstRun /> },
];

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
  const screen = SCREENS.find((s) => s.id === current) ?? (SCREENS[0] as (typeof SCREENS)[number]);
  return (
    <div className="app">
      <nav className="sidebar" aria-label="Main">
        <p className="brand">Cairn</p>
        <ul>
          {SCREENS.map((s) => (
            <li key={s.id}>
              <button
                type="button"
                className="nav-item"
                aria-current={s.id === screen.id ? 'page' : undefined}
                onClick={() => navigate(s.id)}
              >
                {s.title}
              </button>
            </li>
          ))}
        </ul>
        <ThemeSwitch />
      </nav>
      <main className="content">
        <IncidentBanner />
        {screen.render()}
      </main>
    </div>
  );
}
