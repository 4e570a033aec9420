/** First run's folders step: the folders to back up, added one at a time and removable. */
import { useState } from 'react';
import { FolderPicker } from '../../common/FolderPicker.js';
import type { StepProps } from '../setup.js';

export function FoldersStep({ setup, update }: StepProps) {
  const [candidate, setCandidate] = useState('');
  const add = (path: string) => {
    const trimmed = path.trim();
    if (trimmed && !setup.folders.includes(trimmed)) update({ folders: [...setup.folders, trimmed] });
    setCandidate('');
  };
  return (
    <div className="form">
      <p>Choose the folders Cairn backs up. Everything inside them is included, except what you exclude next.</p>
      <FolderPicker label="Folder to back up" value={candidate} onChange={setCandidate} example="/home/you/Documents" />
      <div className="button-row">
        <button type="button" onClick={() => add(candidate)} disabled={candidate.trim() === ''}>
          Add folder
        </button>
      </div>
      {setup.folders.length === 0 ? (
        <p className="muted">No folder chosen yet.</p>
      ) : (
        <ul className="chosen-folders" aria-label="Folders to back up">
          {setup.folders.map((folder) => (
            <li key={folder}>
              <span className="path">{folder}</span>
              <button
                type="button"
                aria-label={`Remove ${folder}`}
                onClick={() => update({ folders: setup.folders.filter((f) => f !== folder) })}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
