/**
 * First run's storage step: create a repository or connect an existing one, in a folder on this
 * computer or on an external drive, with its name and the region where the data is stored.
 */
import { useId } from 'react';
import { FolderPicker } from '../../common/FolderPicker.js';
import { REGION_NAMES, type RegionCode } from '../../format.js';
import type { StepProps } from '../setup.js';

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
      <fieldset className="choice">
        <legend>Where is it?</legend>
        <ul className="choice-list">
          <li>
            <label>
              <input
                type="radio"
                name={`${id}-kind`}
                checked={setup.kind === 'folder'}
                onChange={() => update({ kind: 'folder' })}
              />
              A folder on this computer
            </label>
          </li>
          <li>
            <label>
              <input
                type="radio"
                name={`${id}-kind`}
                checked={setup.kind === 'drive'}
                onChange={() => update({ kind: 'drive' })}
              />
              An external drive
            </label>
          </li>
        </ul>
      </fieldset>
      <FolderPicker
        label="Storage folder"
        value={setup.location}
        onChange={(location) => update({ location })}
        hint={
          setup.mode === 'create'
            ? 'Cairn creates the repository in this folder (a new or empty folder works best).'
            : 'The folder that holds the repository.'
        }
      />
      <label htmlFor={`${id}-label`}>Name</label>
      <input
        id={`${id}-label`}
        value={setup.label}
        placeholder={setup.kind === 'drive' ? 'Backup drive' : 'Backups'}
        onChange={(event) => update({ label: event.target.value })}
      />
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
        Cairn records this so your data never leaves the region you chose without your instruction.
      </p>
    </div>
  );
}
