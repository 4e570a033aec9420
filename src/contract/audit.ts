/**
 * The audit trail as the contract shows it: its entries (hash-chained, each with a keyed MAC) and
 * the result of verifying it, locally and against the anchors in each unlocked repository.
 */
import { z } from 'zod';

export const AuditEntry = z.object({
  seq: z.number().int(),
  at: z.string(),
  actor: z.enum(['app', 'cli']),
  action: z.string(),
  details: z.record(z.string(), z.unknown()),
  prev: z.string(),
  hash: z.string(),
  mac: z.string().optional(),
});

const AuditProblem = z.object({
  seq: z.number().int(),
  kind: z.enum(['edited', 'removed', 'reordered', 'truncated', 'unreadable', 'forged', 'deleted', 'recomputed']),
  message: z.string(),
});

export const AuditVerification = z.object({
  ok: z.boolean(),
  entries: z.number().int(),
  lastSeq: z.number().int(),
  problem: AuditProblem.nullable(),
  /** When the check ran, where the chain's key is kept, and what each unlocked repository's anchor showed. */
  checkedAt: z.string(),
  keyLocation: z.string(),
  anchors: z.array(
    z.object({
      repositoryId: z.string(),
      label: z.string(),
      anchor: z.object({ count: z.number().int(), snapshotId: z.string(), time: z.string() }).nullable(),
      problem: AuditProblem.nullable(),
    }),
  ),
});
