/**
 * The one view of something a screen loads (a Request from useRequest, or the app status from
 * useAppStatus): "Loading …" until the first data arrives, the reason and a Retry when loading
 * failed, and the data (through `children`) once there is some — also beside an error after a
 * failed reload, so a refresh that fails does not blank what was already shown.
 * `compact` fits it in a line or a small card: "Loading…" and a one-line error instead of panels.
 */
import type { ReactNode } from 'react';
import { hasData, type Request } from '../useRequest.js';
import { LoadFailed, Loading } from './States.js';

export function Loadable<T>({
  request,
  what,
  compact = false,
  children,
}: {
  request: Request<T>;
  /** What is loaded, as the end of "Loading …" and "Cairn could not load …": "the key slots". */
  what: string;
  compact?: boolean;
  children: (data: T) => ReactNode;
}) {
  const loaded = hasData(request);
  if (compact) {
    return (
      <>
        {request.state === 'error' && (
          <span className="error-text" role="alert">
            Cairn could not load {what}: {request.message}{' '}
            <button type="button" className="link-button" onClick={request.reload}>
              Retry
            </button>
          </span>
        )}
        {!loaded && request.state === 'loading' && (
          <span className="muted" role="status">
            Loading…
          </span>
        )}
        {loaded && children(request.data)}
      </>
    );
  }
  return (
    <>
      {request.state === 'error' && <LoadFailed what={what} message={request.message} retry={request.reload} />}
      {!loaded && request.state === 'loading' && <Loading what={what} />}
      {loaded && children(request.data)}
    </>
  );
}
