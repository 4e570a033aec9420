/**
 * Records of processing (Art. 30, privacy.record): the controller's details to fill in
 * (ControllerForm.tsx), then the JSON summary and the printable page, shown in a sandboxed frame
 * (no scripts) with a Print button.
 */
import { useId, useRef } from 'react';
import { Loadable } from '../common/Loadable.js';
import { useApp } from '../storeContext.js';
import { useRequest } from '../useRequest.js';
import { ControllerForm } from './ControllerForm.js';

export function ProcessingRecord() {
  const request = useApp((state) => state.request);
  const record = useRequest(() => request('privacy.record', {}), []);
  const frame = useRef<HTMLIFrameElement>(null);
  const id = useId();
  return (
    <section className="panel" id="privacy-record" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Records of processing</h2>
      <p className="hint">
        Made from Cairn's configuration: purposes, data categories, recipients, locations, time limits and security
        measures, as Article 30 of the GDPR asks of a controller.
      </p>
      <h3>Controller</h3>
      <ControllerForm onSaved={record.reload} />
      <Loadable request={record} what="the records of processing">
        {(data) => (
          <>
            <div className="button-row">
              <button type="button" onClick={() => frame.current?.contentWindow?.print()}>
                Print the records
              </button>
              <button type="button" onClick={record.reload}>
                Refresh
              </button>
            </div>
            <iframe
              ref={frame}
              className="record-frame"
              title="Records of processing (printable)"
              sandbox="allow-same-origin allow-modals"
              srcDoc={data.html}
            />
            <details>
              <summary>The same records as JSON</summary>
              <pre className="json-block">{JSON.stringify(data.json, null, 2)}</pre>
            </details>
          </>
        )}
      </Loadable>
    </section>
  );
}
