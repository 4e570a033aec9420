/**
 * Where usage statistics go (usage.setEndpoint): the receiver's address, https only (http only on
 * 127.0.0.1 or localhost, for testing); the engine checks it and its reason is shown as it comes.
 * Removing it means nothing is sent anywhere. While consent is given and an address is set, the
 * records of processing list its host as a recipient.
 */
import { type FormEvent, useId, useState } from 'react';
import { useApp } from '../storeContext.js';

export function UsageAddress({ current, saved }: { current: string | null; saved: () => void }) {
  const request = useApp((state) => state.request);
  const [address, setAddress] = useState(current ?? '');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const id = useId();

  async function store(endpoint: string | null, done: string) {
    setBusy(true);
    setMessage(null);
    try {
      await request('usage.setEndpoint', { endpoint });
      setMessage({ ok: true, text: done });
      saved();
    } catch (failure) {
      setMessage({ ok: false, text: (failure as Error).message });
    } finally {
      setBusy(false);
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const trimmed = address.trim();
    if (trimmed === '') {
      setMessage({ ok: false, text: 'Type the address reports go to, or remove the one set.' });
      return;
    }
    void store(trimmed, 'Saved. Reports go to this address while consent is given.');
  }

  return (
    <form className="form usage-address" aria-label="Statistics address" onSubmit={submit}>
      <label htmlFor={`${id}-url`}>Statistics address</label>
      <input
        id={`${id}-url`}
        type="url"
        autoComplete="off"
        spellCheck={false}
        placeholder="https://stats.example.org/cairn"
        value={address}
        aria-describedby={`${id}-hint`}
        onChange={(event) => {
          setMessage(null);
          setAddress(event.target.value);
        }}
      />
      <p id={`${id}-hint`} className="hint">
        Must start with https:// (http:// only on 127.0.0.1 or localhost, for testing). While you give consent, the
        records of processing list it as a recipient.
      </p>
      <div className="button-row">
        <button type="submit" disabled={busy}>
          Save address
        </button>
        {current && (
          <button
            type="button"
            disabled={busy}
            onClick={() => {
              setAddress('');
              void store(null, 'Removed. Nothing is sent anywhere.');
            }}
          >
            Remove address
          </button>
        )}
      </div>
      {message && (
        <p className={message.ok ? 'success-text' : 'error-text'} role={message.ok ? 'status' : 'alert'}>
          {message.text}
        </p>
      )}
    </form>
  );
}
