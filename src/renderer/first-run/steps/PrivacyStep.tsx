/**
 * First run's privacy step: the privacy notice (the texts 'consent.list' carries, the same ones
 * the ledger records by version and hash) and the one optional choice, unticked: anonymous usage
 * statistics. First run gives consent only if it is ticked when it finishes.
 */
import { useId } from 'react';
import type { Result } from '../../../contract/methods.js';
import { Loadable } from '../../common/Loadable.js';
import { useApp } from '../../storeContext.js';
import { useRequest } from '../../useRequest.js';
import type { StepProps } from '../setup.js';

export function PrivacyStep(props: StepProps) {
  const request = useApp((state) => state.request);
  const consents = useRequest(() => request('consent.list', {}), []);
  return (
    <div className="form privacy-step">
      <Loadable request={consents} what="the privacy notice">
        {(data) => <Notice consents={data} {...props} />}
      </Loadable>
    </div>
  );
}

function Notice({ consents, setup, update }: StepProps & { consents: Result<'consent.list'> }) {
  const id = useId();
  const backup = consents.find((c) => c.purpose === 'backup');
  const usage = consents.find((c) => c.purpose === 'usage-statistics');
  return (
    <>
      <p>
        Your files are encrypted on this computer before they are stored, and the keys never leave it. Cairn sends
        nothing anywhere unless you allow it below. You can change these choices at any time on the Privacy screen.
      </p>
      {backup && (
        <section aria-labelledby={`${id}-backup`}>
          <h3 id={`${id}-backup`}>{backup.title}</h3>
          <p className="notice-text">{backup.notice.text}</p>
        </section>
      )}
      <fieldset className="choice">
        <legend>Optional — off unless you tick it</legend>
        {usage && (
          <div className="consent-choice">
            <label>
              <input
                type="checkbox"
                checked={setup.usageStatistics}
                onChange={(event) => update({ usageStatistics: event.target.checked })}
                aria-describedby={`${id}-usage`}
              />
              {usage.title}
            </label>
            <p id={`${id}-usage`} className="hint notice-text">
              {usage.notice.text}
            </p>
          </div>
        )}
      </fieldset>
    </>
  );
}
