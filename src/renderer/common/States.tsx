/** The shared loading, error and empty states every screen uses. */
import type { ReactNode } from 'react';

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status">
      Loading {what}…
    </p>
  );
}

export function LoadFailed({ what, message, retry }: { what: string; message: string; retry?: () => void }) {
  return (
    <div className="panel panel-error" role="alert">
      <p>
        Cairn could not load {what}: {message}
      </p>
      {retry && (
        <button type="button" onClick={retry}>
          Retry
        </button>
      )}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="panel empty">
      <h2>{title}</h2>
      {children}
    </div>
  );
}
