/**
 * A folder field: type a path, or pick one — with the system dialog in the desktop app (the
 * preload's `chooseFolder`), with the engine-served DirectoryBrowser in a browser. The choice is
 * made from the transport, automatically.
 */
import { useId, useState } from 'react';
import { electronBridge } from '../api/bridge.js';
import { DirectoryBrowser } from './DirectoryBrowser.js';

export function FolderPicker({
  label,
  value,
  onChange,
  hint,
  example,
}: {
  label: string;
  value: string;
  onChange: (path: string) => void;
  hint?: string;
  /** An example path, shown as the placeholder ("e.g. …"), never as if it were filled in. */
  example?: string;
}) {
  const [browsing, setBrowsing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  const bridge = electronBridge();

  async function pick() {
    setError(null);
    if (bridge) {
      try {
        const chosen = await bridge.chooseFolder(value || undefined);
        if (chosen) onChange(chosen);
      } catch (failure) {
        setError((failure as Error).message);
      }
      return;
    }
    setBrowsing(true);
  }

  return (
    <div className="folder-picker">
      <label htmlFor={id}>{label}</label>
      <div className="input-row">
        <input
          id={id}
          value={value}
          placeholder={example ? `e.g. ${example}` : undefined}
          aria-describedby={hint ? `${id}-hint` : undefined}
          onChange={(event) => onChange(event.target.value)}
        />
        <button type="button" onClick={() => void pick()} aria-expanded={bridge ? undefined : browsing}>
          Browse…
        </button>
      </div>
      {hint && (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      )}
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {browsing && (
        <DirectoryBrowser
          start={value || undefined}
          onChoose={(path) => {
            onChange(path);
            setBrowsing(false);
          }}
          onCancel={() => setBrowsing(false)}
        />
      )}
    </div>
  );
}
