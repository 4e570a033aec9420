/**
 * Settings → Alerts by web address: the optional webhook for a computer nobody watches (a NAS
 * running `cairn serve`): which kind of receiver, its address (shown back only in part, since it
 * holds a secret; left empty it is kept), a ping at a backup's start for healthchecks, where the
 * receiver is for the records of processing, "Send a test" with the answer in plain words, and
 * the last alert's outcome. Saved with `settings.set`, tested with `settings.testWebhook`.
 */
import { useId, useState } from 'react';
import { Loadable } from '../common/Loadable.js';
import { REGION_NAMES, type RegionCode } from '../format.js';
import { useApp } from '../storeContext.js';
import { useRequest } from '../useRequest.js';
import {
  describeDelivery,
  describeLastDelivery,
  formFrom,
  formParams,
  formProblem,
  KIND_NAMES,
  testParams,
  testProblem,
  type WebhookForm,
  type WebhookKind,
  type WebhookView,
} from './alert-webhook-form.js';

const PLACEHOLDERS: Record<WebhookKind, string> = {
  healthchecks: 'https://hc-ping.com/your-check-uuid',
  ntfy: 'https://ntfy.sh/your-secret-topic',
};

export function AlertWebhookSettings() {
  const request = useApp((state) => state.request);
  const stored = useRequest(() => request('settings.get', {}), []);
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <section className="panel" aria-labelledby="alerts-heading">
      <h2 id="alerts-heading">Alerts by web address</h2>
      <p className="hint">
        For a computer nobody watches, such as a NAS or a server running <code>cairn serve</code>: after each backup,
        and when a check finds damage, Cairn calls a web address of yours — a monitor's ping URL (healthchecks.io, or
        one that follows its conventions) or an ntfy topic that notifies your phone. Off unless you set it.
      </p>
      <p className="hint">
        An alert says the repository's name, what happened, counts and a one-line reason — never file names, folders,
        passwords or storage credentials. While it is set, the records of processing list the address's host as a
        recipient.
      </p>
      <Loadable request={stored} what="the alert settings">
        {(settings) => {
          const w = settings.webhook;
          return (
            <Editor
              key={w ? `${w.kind}|${w.address}|${w.pingStart}|${w.region}` : 'off'}
              stored={w}
              saved={(message) => {
                setNotice(message);
                stored.reload();
              }}
              editing={() => setNotice(null)}
            />
          );
        }}
      </Loadable>
      {notice && (
        <p className="success-text" role="status">
          {notice}
        </p>
      )}
    </section>
  );
}

function Editor({
  stored,
  saved,
  editing,
}: {
  stored: WebhookView | null;
  saved: (notice: string) => void;
  editing: () => void;
}) {
  const request = useApp((state) => state.request);
  const [form, setForm] = useState<WebhookForm>(() => formFrom(stored));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [tested, setTested] = useState<{ ok: boolean; text: string } | null>(null);
  const id = useId();
  const set = (change: Partial<WebhookForm>) => {
    editing();
    setTested(null);
    setForm((f) => ({ ...f, ...change }));
  };

  async function run(work: () => Promise<void>) {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  }

  const save = () => {
    const problem = formProblem(stored, form);
    if (problem) return setError(problem);
    return run(async () => {
      await request('settings.set', { webhook: formParams(form) });
      saved('Saved. Alerts go to this address from now on.');
    });
  };

  const remove = () =>
    run(async () => {
      await request('settings.set', { webhook: null });
      saved('Removed. No alerts are sent by web address.');
    });

  const test = () => {
    const problem = testProblem(stored, form);
    if (problem) return setError(problem);
    return run(async () => {
      const delivery = await request('settings.testWebhook', testParams(form));
      setTested({ ok: delivery.ok, text: describeDelivery(delivery) });
    });
  };

  return (
    <>
      <dl className="kit-facts">
        <dt>Alerts</dt>
        <dd>{stored ? `On: ${KIND_NAMES[stored.kind]}, to ${stored.host}` : 'Off'}</dd>
        {stored && (
          <>
            <dt>Address</dt>
            <dd className="path">{stored.address}</dd>
          </>
        )}
      </dl>
      {stored?.lastDelivery && (
        <p className={stored.lastDelivery.ok ? 'hint' : 'error-text'}>
          {describeLastDelivery(stored.lastDelivery, new Date())}
        </p>
      )}
      <form
        className="form"
        aria-label="Alert settings"
        onSubmit={(event) => {
          event.preventDefault();
          void save();
        }}
      >
        <label htmlFor={`${id}-kind`}>Kind</label>
        <select
          id={`${id}-kind`}
          value={form.kind}
          onChange={(event) => set({ kind: event.target.value as WebhookKind })}
        >
          {(Object.keys(KIND_NAMES) as WebhookKind[]).map((kind) => (
            <option key={kind} value={kind}>
              {KIND_NAMES[kind]}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-url`}>Web address</label>
        <input
          id={`${id}-url`}
          type="url"
          autoComplete="off"
          spellCheck={false}
          value={form.url}
          placeholder={PLACEHOLDERS[form.kind]}
          onChange={(event) => set({ url: event.target.value })}
        />
        <p className="hint">
          {stored ? 'Leave it empty to keep the current address. ' : ''}
          {form.kind === 'healthchecks'
            ? 'Cairn calls the address after a backup that succeeded, and the address with /fail after a failure or damage. A test is a success ping.'
            : 'Cairn posts a short message to the topic: quietly after a backup that succeeded, with high priority after a failure or damage. Anyone who knows the topic can read it: choose one that is hard to guess.'}
        </p>
        {form.kind === 'healthchecks' && (
          <label className="alert-start">
            <input
              type="checkbox"
              checked={form.pingStart}
              onChange={(event) => set({ pingStart: event.target.checked })}
            />
            <span>Also ping /start when a backup starts (so the monitor measures how long backups take)</span>
          </label>
        )}
        <label htmlFor={`${id}-region`}>Where the receiver is (for the records of processing)</label>
        <select
          id={`${id}-region`}
          value={form.region}
          onChange={(event) => set({ region: event.target.value as RegionCode | '' })}
        >
          <option value="">Unknown</option>
          {(Object.keys(REGION_NAMES) as RegionCode[]).map((code) => (
            <option key={code} value={code}>
              {REGION_NAMES[code]}
            </option>
          ))}
        </select>
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy} aria-busy={busy}>
            Save alert settings
          </button>
          <button type="button" disabled={busy} onClick={() => void test()}>
            Send a test
          </button>
          {stored && (
            <button type="button" disabled={busy} onClick={() => void remove()}>
              Turn alerts off
            </button>
          )}
        </div>
        {tested && (
          <p className={tested.ok ? 'success-text' : 'error-text'} role="status">
            {tested.text}
          </p>
        )}
        {error && (
          <p className="error-text" role="alert">
            {error}
          </p>
        )}
      </form>
    </>
  );
}
