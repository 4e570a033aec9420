/**
 * Usage statistics (usage.preview): whether they are on (off unless consent is given), where they
 * go, and — before any consent — exactly what a weekly report holds: this week's true buckets and
 * one randomised sample of the form that is sent, with the ε of the randomisation in one plain
 * sentence. The address is set here too (UsageAddress). Nothing is sent from this screen.
 */
import { useId } from 'react';
import type { Result } from '../../contract/methods.js';
import { Loadable } from '../common/Loadable.js';
import { useApp } from '../storeContext.js';
import { useRequest } from '../useRequest.js';
import { UsageAddress } from './UsageAddress.js';

type Preview = Result<'usage.preview'>;

/** "3 in 7": the chance a counter keeps its true bucket, as odds e^ε over e^ε + k − 1. */
function chance(privacy: Preview['privacy'], counter: string): string {
  const odds = Math.round(Math.exp(privacy.epsilonPerCounter));
  const k = privacy.counters[counter]?.buckets.length ?? 0;
  return `${odds} in ${odds + k - 1}`;
}

/** The one plain sentence on randomised response and its ε. */
export function randomisationSentence(privacy: Preview['privacy']): string {
  return (
    `Before a report leaves this computer, each counter keeps its true bucket only with a chance of ` +
    `${chance(privacy, 'backups')} (${chance(privacy, 'largestBackup')} for the size) and otherwise shows ` +
    'another bucket at random, so no single report reveals your real numbers: local differential privacy with ' +
    `ε = ln ${Math.round(Math.exp(privacy.epsilonPerCounter))} ≈ ${privacy.epsilonPerCounter.toFixed(2)} per counter, ` +
    `${privacy.epsilonPerReport.toFixed(2)} per report.`
  );
}

function View({ data, reload }: { data: Preview; reload: () => void }) {
  return (
    <>
      <p>
        {data.enabled
          ? 'On: you gave consent for anonymous usage statistics. One report a week.'
          : 'Off. Nothing is counted or sent unless you give consent above.'}{' '}
        {data.endpoint ? (
          <>
            Reports go to <span className="path">{data.endpoint}</span>.
          </>
        ) : (
          'No address is set, so nothing would be sent anywhere.'
        )}{' '}
        {data.pending > 0 &&
          `${data.pending} report(s) are waiting${data.nextSendAt ? `; the first may be sent after ${new Date(data.nextSendAt).toLocaleString()}` : ''}.`}
      </p>
      <p>
        A report covers one calendar week (UTC) and is sent at a random time within 72 hours after the week ends. It has
        no identifier of you or this computer, and the address receives nothing else: no cookie, no computer name.
      </p>
      <p>{randomisationSentence(data.privacy)}</p>
      <div className="usage-payloads">
        <figure>
          <figcaption>This week, with the true buckets (never sent as it is)</figcaption>
          <pre className="json-block">{JSON.stringify(data.payload, null, 2)}</pre>
        </figure>
        <figure>
          <figcaption>Exactly what is sent: the same after randomising (one sample; Refresh draws another)</figcaption>
          <pre className="json-block">{JSON.stringify(data.randomised, null, 2)}</pre>
        </figure>
      </div>
      <button type="button" onClick={reload}>
        Refresh
      </button>
      <UsageAddress current={data.endpoint} saved={reload} />
    </>
  );
}

export function UsageStatistics() {
  const request = useApp((state) => state.request);
  const preview = useRequest(() => request('usage.preview', {}), []);
  const id = useId();
  return (
    <section className="panel" id="privacy-usage" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Usage statistics</h2>
      <Loadable request={preview} what="the usage statistics">
        {(data) => <View data={data} reload={preview.reload} />}
      </Loadable>
    </section>
  );
}
