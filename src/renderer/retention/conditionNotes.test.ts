import { describe, expect, it } from 'vitest';
import { conditionWaitingText } from '../../contract/conditions.js';
import { conditionNote } from './conditionNotes.js';

describe('the note under a condition box', () => {
  it('in the browser version with nothing reporting: unavailable, and says backups are not held back', () => {
    const idle = conditionNote('idle', null, false);
    expect(idle).toEqual({
      text: 'Not available in the browser version (cairn serve): it cannot tell whether the computer is in use, so backups are not held back. The desktop app applies this.',
      available: false,
      limited: true,
    });
    expect(conditionNote('metered', null, false).text).toContain('it cannot tell whether the connection is metered');
  });

  it('in the desktop app before the first reading: available, not yet read', () => {
    expect(conditionNote('metered', null, true)).toEqual({
      text: 'Cairn has not read whether the connection is metered yet, so backups are not held back until it has.',
      available: true,
      limited: true,
    });
  });

  it('where the system does not report it (macOS and metered): unavailable, naming why', () => {
    const note = conditionNote(
      'metered',
      { state: 'unsupported', detail: 'macOS does not tell programs whether a connection is metered' },
      true,
    );
    expect(note).toEqual({
      text: 'Not reported on this system (macOS does not tell programs whether a connection is metered), so backups are not held back.',
      available: false,
      limited: true,
    });
  });

  it('when the reading failed: still available, with the reason', () => {
    expect(conditionNote('metered', { state: 'unknown', detail: 'nmcli is not installed' }, true)).toEqual({
      text: 'Cannot tell whether the connection is metered right now (nmcli is not installed), so backups are not held back.',
      available: true,
      limited: true,
    });
  });

  it('when read: the state now', () => {
    expect(conditionNote('idle', { state: 'no', detail: null }, true)).toEqual({
      text: 'The computer is in use now.',
      available: true,
      limited: false,
    });
    expect(conditionNote('idle', { state: 'yes', detail: null }, false).text).toBe('The computer is idle now.');
    expect(conditionNote('metered', { state: 'yes', detail: null }, true).text).toBe('The connection is metered now.');
  });
});

describe('what a waiting run says', () => {
  it('words each machine condition, and nothing for a run that is not held or is paused', () => {
    expect(conditionWaitingText('ac-power')).toBe('Waiting for the computer to be plugged in');
    expect(conditionWaitingText('idle')).toBe('Waiting: the computer is in use');
    expect(conditionWaitingText('unmetered-network')).toBe('Waiting: metered connection');
    expect(conditionWaitingText('resume')).toBeNull();
    expect(conditionWaitingText(null)).toBeNull();
  });
});
