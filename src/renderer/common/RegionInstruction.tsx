/**
 * The user's explicit instruction to store data outside the chosen region. Cairn refuses a
 * storage location declared in another region than the one chosen on the Privacy screen unless
 * the user says why (GDPR: no transfer without an instruction); the reason is written to the
 * audit trail with the location and listed in the records of processing (revoked or given again
 * in Settings → Region). Shown only when the declared region differs from the chosen one.
 */
import { useId } from 'react';
import { REGION_NAMES, type RegionCode } from '../format.js';
import { useApp } from '../storeContext.js';
import { useRequest } from '../useRequest.js';

export function RegionInstruction({
  region,
  value,
  onChange,
}: {
  region: RegionCode;
  value: string;
  onChange: (instruction: string) => void;
}) {
  const request = useApp((state) => state.request);
  const settings = useRequest(() => request('privacy.region.get', {}), []);
  const id = useId();
  const chosen = settings.data?.chosen ?? null;
  if (!chosen || chosen === region) return null;
  return (
    <div className="notice" role="note">
      <p id={`${id}-question`}>
        <strong>
          This location is in {REGION_NAMES[region]}, outside your chosen region {REGION_NAMES[chosen]}. Store backups
          there anyway?
        </strong>
      </p>
      <label htmlFor={`${id}-instruction`}>
        If so, say why (recorded in the audit trail and the records of processing; revocable in Settings → Region):
      </label>
      <input
        id={`${id}-instruction`}
        value={value}
        placeholder="e.g. offsite copy with our provider in Switzerland, contract of 2026-11-02"
        onChange={(event) => onChange(event.target.value)}
      />
    </div>
  );
}

/** The contract's `allowRegionTransfer` for what was typed: nothing when it is blank. */
export function regionTransferParam(instruction: string): { allowRegionTransfer?: string } {
  const trimmed = instruction.trim();
  return trimmed === '' ? {} : { allowRegionTransfer: trimmed };
}
