/**
 * The app frame: a left navigation and the current screen. Only screens that are built are listed;
 * a refused token replaces everything with an explanation of how to open Cairn properly.
 */
import { useState } from 'react';
import { Dashboard } from './dashboard/Dashboard.js';
import { RetentionScreen } from './retention/RetentionScreen.js';
import { useApp } from './storeContext.js';
import { ThemeSwitch } from './ThemeSwitch.js';

const SCREENS = [
  { id: 'dashboard', title: 'Dashboard', render: () => <Dashboard /> },
  { id: 'retention', title: 'Retention and schedule', render: () => <RetentionScreen /> },
] as const;
type ScreenId = (typeof SCREENS)[number]['id'];

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

export function App() {
  const notAuthorized = useApp((state) => state.notAuthorized);
  const [current, setCurrent] = useState<ScreenId>('dashboard');
  if (notAuthorized) return <NotAuthorized />;
  const screen = SCREENS.find((s) => s.id === current) ?? SCREENS[0];
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
                aria-current={s.id === current ? 'page' : undefined}
                onClick={() => setCurrent(s.id)}
              >
                {s.title}
              </button>
            </li>
          ))}
        </ul>
        <ThemeSwitch />
      </nav>
      <main className="content">{screen.render()}</main>
    </div>
  );
}
