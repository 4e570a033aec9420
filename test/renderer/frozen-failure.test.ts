/**
 * The renderer's words for a frozen recovery point (src/renderer/common/failure.ts) read back
 * from the refusal the app's guard really gives (src/app/privacy/restriction/guard.ts), so the two
 * cannot drift apart unnoticed; other failures pass through as they came.
 */
import { describe, expect, it } from 'vitest';
import { frozenRefusal } from '../../src/app/privacy/restriction/guard.js';
import { ContractError } from '../../src/contract/errors.js';
import { failureMessage } from '../../src/renderer/common/failure.js';
import { formatDateTime } from '../../src/renderer/when.js';

describe('failureMessage', () => {
  it("words a frozen point with its date and reason, read back from the guard's refusal", () => {
    const frozenAt = '2026-03-01T10:00:00.000Z';
    const message = frozenRefusal({ snapshotId: 'ab'.repeat(32), frozenAt, reason: 'accuracy (contested)' });
    expect(failureMessage(new ContractError('restricted', message), 'restore it')).toBe(
      `This recovery point is frozen (since ${formatDateTime(frozenAt)}: accuracy (contested)): unfreeze it in Privacy to restore it.`,
    );
  });

  it('still says where to lift it when the message has another shape', () => {
    expect(failureMessage(new ContractError('restricted', 'held'))).toBe(
      'This recovery point is frozen: unfreeze it in Privacy to browse, restore or compare it.',
    );
  });

  it('shows any other failure as it came', () => {
    expect(failureMessage(new ContractError('io', 'the disk is gone'))).toBe('the disk is gone');
  });
});
