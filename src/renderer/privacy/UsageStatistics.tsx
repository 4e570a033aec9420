/**
 * Usage statistics (usage.preview): whether they are on (off unless consent is given), where
 * they would go, and the exact payload that would be sent, shown verbatim. Nothing is sent here.
 */
import { useId } from 'react';
import { Loadable } from '../common/Loadable.js';
import { useApp } from '../storeContext.js';
import { useRequest } from '../useRequest.js';

export function UsageStatistics() {
  const request = useApp((state) => state.request);
  const preview = useRequest(() => request('usage.preview', {}), []);
  const id = useId();
  return (
    <section className="panel" id="privacy-usage" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Usage statistics</h2>
      <Loadable request={preview} what="the usage statistics">
        {(data) => (
          <>
            <p>
              {data.enabled
                ? 'On: you gave consent for anonymous usage statistics.'
                : 'Off. Nothing is counted or sent unless you give consent above.'}{' '}
              {data.endpoint ? (
                <>
                  They go to <span className="path">{data.endpoint}</span>.
                </>
              ) : (
                'No address is set, so nothing would be sent anywhere.'
              )}{' '}
              {data.pending > 0 && `${data.pending} payload(s) are waiting to be sent.`}
            </p>
            {data.payload ? (
              <>
                <p>Exactly what would be sent, and nothing more:</p>
                <pre className="json-block">{JSON.stringify(data.payload, null, 2)}</pre>
              </>
            ) : (
              <p className="muted">Nothing has been counted, so there is nothing to send.</p>
            )}
            <button type="button" onClick={preview.reload}>
              Refresh
            </button>
          </>
        )}
      </Loadable>
    </section>
  );
}
