/**
 * The audit trail (audit.list, audit.verify): the newest entries first with "Show older" paging,
 * and a check of the keyed chain and of the heads anchored in the unlocked repositories: verified
 * or not verified with the reason, when it was checked, what each repository's anchor showed, and
 * where the chain key is kept and what that protects against.
 */
import { useId, useState } from 'react';
import type { z } from 'zod';
import type { AuditEntry, AuditVerification } from '../../contract/schemas.js';
import { Loadable } from '../common/Loadable.js';
import { Empty } from '../common/States.js';
import { useApp } from '../storeContext.js';
import { useRequest } from '../useRequest.js';
import { formatDateTime } from '../when.js';

type Entry = z.output<typeof AuditEntry>;
type Verification = z.output<typeof AuditVerification>;

const PAGE = 25;

function details(entry: Entry): string {
  return Object.entries(entry.details)
    .filter(([, value]) => value !== undefined && value !== null)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' · ');
}

function AnchorLine({ anchor }: { anchor: Verification['anchors'][number] }) {
  if (!anchor.anchor) {
    return <li>{anchor.label}: holds no anchor of this trail yet (its next backup adds one)</li>;
  }
  return (
    <li>
      {anchor.label}: {anchor.anchor.count.toLocaleString()} entries anchored {formatDateTime(anchor.anchor.time)} —{' '}
      {anchor.problem ? `does not match (${anchor.problem.kind})` : 'matches'}
    </li>
  );
}

function VerifyResult({ result }: { result: Verification }) {
  const checked =
    result.anchors.length === 0
      ? 'not compared with any repository: unlock a repository to compare the trail with the head anchored in it'
      : `compared with ${result.anchors.length === 1 ? 'the repository' : `${result.anchors.length} repositories`}:`;
  return (
    <div className="audit-verification">
      {result.ok ? (
        <p className="success-text" role="status">
          Verified: {result.entries.toLocaleString()} entries, every hash, mac and link checked
          {result.entries > 0 ? `, up to entry ${result.lastSeq}` : ''}.
        </p>
      ) : (
        <p className="error-text" role="alert">
          Not verified
          {result.problem ? ` at entry ${result.problem.seq} (${result.problem.kind}): ${result.problem.message}` : ''}.
        </p>
      )}
      <p className="hint">
        Checked {formatDateTime(result.checkedAt)}, {checked}
      </p>
      <p className="hint">The chain key is {result.keyLocation}</p>
      {result.anchors.length > 0 && (
        <ul aria-label="Repository anchors">
          {result.anchors.map((a) => (
            <AnchorLine key={a.repositoryId} anchor={a} />
          ))}
        </ul>
      )}
    </div>
  );
}

/** The entries loaded so far, newest first. */
function Entries({ entries }: { entries: Entry[] }) {
  if (entries.length === 0) {
    return (
      <Empty title="No entries yet">
        <p>The first entry is written when you set up a repository or change a setting.</p>
      </Empty>
    );
  }
  return (
    <section className="table-scroll" aria-label="Audit trail entries">
      <table className="data-table audit-table">
        <caption className="visually-hidden">Audit trail, newest first</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Time</th>
            <th scope="col">Action</th>
            <th scope="col">By</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <tr key={entry.seq}>
              <td className="numeric">{entry.seq}</td>
              <td>{formatDateTime(entry.at)}</td>
              <td>
                <code>{entry.action}</code>
              </td>
              <td>{entry.actor === 'app' ? 'app' : 'command line'}</td>
              <td className="audit-details">{details(entry)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function AuditTrail() {
  const request = useApp((state) => state.request);
  const first = useRequest(() => request('audit.list', { limit: PAGE }), []);
  const [older, setOlder] = useState<Entry[]>([]);
  const [more, setMore] = useState<{ busy: boolean; error: string | null; done: boolean }>({
    busy: false,
    error: null,
    done: false,
  });
  const [verify, setVerify] = useState<{ busy: boolean; result: Verification | null; error: string | null }>({
    busy: false,
    result: null,
    error: null,
  });
  const id = useId();
  const entries = first.data ? [...first.data, ...older] : null;
  const oldest = entries?.[entries.length - 1];
  const hasMore = !!oldest && oldest.seq > 1 && !more.done && (first.data?.length ?? 0) >= PAGE;

  async function loadOlder() {
    if (!oldest) return;
    setMore({ busy: true, error: null, done: false });
    try {
      const page = await request('audit.list', { limit: PAGE, before: oldest.seq });
      setOlder((o) => [...o, ...page]);
      setMore({ busy: false, error: null, done: page.length < PAGE });
    } catch (failure) {
      setMore({ busy: false, error: (failure as Error).message, done: false });
    }
  }

  async function runVerify() {
    setVerify({ busy: true, result: null, error: null });
    try {
      setVerify({ busy: false, result: await request('audit.verify', {}), error: null });
    } catch (failure) {
      setVerify({ busy: false, result: null, error: (failure as Error).message });
    }
  }

  function refresh() {
    setOlder([]);
    setMore({ busy: false, error: null, done: false });
    first.reload();
  }

  return (
    <section className="panel" id="privacy-audit" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Audit trail</h2>
      <p className="hint">
        Every action Cairn takes is logged here, each entry chained to the previous one by a keyed mac, and the head of
        the trail is stored in the repository with each backup, so an edited, removed, reordered or rewritten entry, a
        shortened trail or a deleted one is detected.
      </p>
      <div className="button-row">
        <button type="button" onClick={() => void runVerify()} disabled={verify.busy} aria-busy={verify.busy}>
          Verify the audit trail
        </button>
        <button type="button" onClick={refresh}>
          Refresh
        </button>
      </div>
      {verify.result && <VerifyResult result={verify.result} />}
      {verify.error && (
        <p className="error-text" role="alert">
          Cairn could not verify the audit trail: {verify.error}
        </p>
      )}
      <Loadable request={{ ...first, reload: refresh }} what="the audit trail">
        {(page) => <Entries entries={[...page, ...older]} />}
      </Loadable>
      {hasMore && (
        <button type="button" onClick={() => void loadOlder()} disabled={more.busy}>
          Show older entries
        </button>
      )}
      {more.error && (
        <p className="error-text" role="alert">
          Cairn could not load older entries: {more.error}
        </p>
      )}
    </section>
  );
}
