/**
 * The recovery kit: the recovery key with where and what it opens, laid out to be printed
 * (common.css hides everything else on paper). Shown once, right after the key is made.
 */
import type { Result } from '../../contract/methods.js';
import { REGION_NAMES, type RegionCode } from '../format.js';
import './common.css';
import { formatDateTime } from '../when.js';

export function RecoveryKit({
  kit,
  region,
}: {
  kit: Result<'keys.createRecoveryKey'>;
  region?: RegionCode | undefined;
}) {
  return (
    <section className="recovery-kit panel" aria-labelledby="recovery-kit-heading">
      <h2 id="recovery-kit-heading">Recovery kit for “{kit.label}”</h2>
      <p>
        If you forget your password, this key opens the repository. Print this page or write the key down, and keep it
        somewhere safe away from this computer. Anyone who has it and the backup location can read your backups.
      </p>
      <figure className="recovery-key-box">
        <figcaption>Recovery key</figcaption>
        <p className="recovery-key" data-testid="recovery-key">
          {kit.recoveryKey}
        </p>
      </figure>
      <dl className="kit-facts">
        <dt>Repository</dt>
        <dd>{kit.label}</dd>
        <dt>Location</dt>
        <dd className="path">{kit.location}</dd>
        {region && (
          <>
            <dt>Region</dt>
            <dd>{REGION_NAMES[region]}</dd>
          </>
        )}
        <dt>Repository ID</dt>
        <dd className="path">{kit.repositoryId}</dd>
        <dt>Made on</dt>
        <dd>{formatDateTime(kit.createdAt)}</dd>
      </dl>
      <p className="muted">Cairn does not keep a copy of this key. Making a new kit makes this key stop working.</p>
      <div className="button-row no-print">
        <button type="button" onClick={() => window.print()}>
          Print the recovery kit
        </button>
      </div>
    </section>
  );
}
