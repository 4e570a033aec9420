/**
 * First run's storage step ("Add a repository"): create a repository or connect an existing one —
 * in a folder on this computer, on an external drive, on an SFTP server or in an S3-compatible
 * bucket (common/StorageFields.tsx, with "Test connection") — with its name and the region where
 * the data is stored.
 */

import { useId } from 'react';
import { RegionInstruction } from '../../common/RegionInstruction.js';
import { StorageFields } from '../../common/StorageFields.js';
import { REGION_NAMES, type RegionCode } from '../../format.js';
import { DEFAULT_NAMES, type StepProps } from '../setup.js';

const REGIONS = Object.keys(REGION_NAMES) as RegionCode[];

export function StorageStep({ setup, update }: StepProps) {
  const id = useId();
  return (
    <div className="form">
      <fieldset className="choice">
        <legend>What do you want to do?</legend>
        <ul className="choice-list">
          <li>
            <label>
              <input
                type="radio"
                name={`${id}-mode`}
                checked={setup.mode === 'create'}
                onChange={() => update({ mode: 'create' })}
              />
              Create a new repository
            </label>
          </li>
          <li>
            <label>
              <input
                type="radio"
                name={`${id}-mode`}
                checked={setup.mode === 'connect'}
                onChange={() => update({ mode: 'connect' })}
              />
              Connect a repository that already exists
            </label>
          </li>
        </ul>
      </fieldset>
      <StorageFields form={setup.storage} onChange={(storage) => update({ storage })} mode={setup.mode} />
      <label htmlFor={`${id}-label`}>Name</label>
      <input
        id={`${id}-label`}
        value={setup.label}
        aria-describedby={`${id}-label-hint`}
        onChange={(event) => update({ label: event.target.value })}
      />
      <p id={`${id}-label-hint`} className="hint">
        Optional: left empty, it is called “{DEFAULT_NAMES[setup.storage.kind]}”.
      </p>
      <label htmlFor={`${id}-region`}>Region where the data is stored</label>
      <select
        id={`${id}-region`}
        value={setup.region}
        onChange={(event) => update({ region: event.target.value as RegionCode })}
      >
        {REGIONS.map((code) => (
          <option key={code} value={code}>
            {REGION_NAMES[code]}
          </option>
        ))}
      </select>
      <p className="hint">
        Cairn records this so your data never leaves the region you chose without your instruction. A region picked for
        the first repository becomes your chosen region; you can change it under Privacy.
      </p>
      <RegionInstruction
        region={setup.region}
        value={setup.regionInstruction}
        onChange={(regionInstruction) => update({ regionInstruction })}
      />
    </div>
  );
}
