/**
 * Who the controller is, for the records of processing (`controller.get`/`controller.set`): the
 * name and contact (both required) and the data protection officer's contact (optional). Checked
 * here before sending, and by the engine again; saving refreshes the records shown below.
 */
import { type FormEvent, useId, useState } from 'react';
import type { Result } from '../../contract/methods.js';
import { Loadable } from '../common/Loadable.js';
import { useApp } from '../storeContext.js';
import { useRequest } from '../useRequest.js';

type Details = Result<'controller.get'>;

function Form({ initial, onSaved }: { initial: Details; onSaved: () => void }) {
  const request = useApp((state) => state.request);
  const [name, setName] = useState(initial.name ?? '');
  const [contact, setContact] = useState(initial.contact ?? '');
  const [dpo, setDpo] = useState(initial.dpoContact ?? '');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const id = useId();

  async function save(event: FormEvent) {
    event.preventDefault();
    if (name.trim() === '' || contact.trim() === '') {
      setMessage({ ok: false, text: "Give the controller's name and a contact (a postal address or an email)." });
      return;
    }
    setBusy(true);
    setMessage(null);
    try {
      await request('controller.set', { name: name.trim(), contact: contact.trim(), dpoContact: dpo.trim() || null });
      setMessage({ ok: true, text: 'Controller details saved.' });
      onSaved();
    } catch (failure) {
      setMessage({ ok: false, text: (failure as Error).message });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="inline-form controller-form" aria-label="Controller details" onSubmit={(e) => void save(e)}>
      <label htmlFor={`${id}-name`}>Controller's name</label>
      <input id={`${id}-name`} value={name} maxLength={200} onChange={(e) => setName(e.target.value)} />
      <label htmlFor={`${id}-contact`}>Contact (address or email)</label>
      <input id={`${id}-contact`} value={contact} maxLength={500} onChange={(e) => setContact(e.target.value)} />
      <label htmlFor={`${id}-dpo`}>Data protection officer's contact (optional)</label>
      <input id={`${id}-dpo`} value={dpo} maxLength={500} onChange={(e) => setDpo(e.target.value)} />
      <button type="submit" disabled={busy}>
        Save controller details
      </button>
      {message && (
        <p className={message.ok ? 'success-text' : 'error-text'} role={message.ok ? 'status' : 'alert'}>
          {message.text}
        </p>
      )}
    </form>
  );
}

export function ControllerForm({ onSaved }: { onSaved: () => void }) {
  const request = useApp((state) => state.request);
  const details = useRequest(() => request('controller.get', {}), []);
  return (
    <Loadable request={details} what="the controller details">
      {(data) => <Form initial={data} onSaved={onSaved} />}
    </Loadable>
  );
}
