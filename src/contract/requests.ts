/**
 * The contract of the records a controller keeps beyond the privacy screen's first sections: the
 * requests register (GDPR Art. 12: `requests.*`), the controller's details for the records of
 * processing (Art. 30(1)(a): `controller.*`), and the instruction to store a repository outside
 * the chosen region, given or revoked for a repository already in the app (`transfers.*`).
 * Registered in ./methods.ts with the other methods.
 */
import { z } from 'zod';

const nonEmpty = z.string().min(1);
const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'write the date as YYYY-MM-DD');

export const RequestKind = z.enum(['access', 'erasure', 'rectification', 'restriction', 'objection', 'portability']);

export const RequestLink = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('export'),
    file: z.string(),
    sha256: z.string(),
    bytes: z.number().int(),
    linkedAt: z.string(),
  }),
  z.object({
    kind: z.literal('erasure'),
    request: z.string(),
    /** The receipt's keyed hash of the erased path (never the path). */
    pathHash: z.string().nullable(),
    completedAt: z.string().nullable(),
    linkedAt: z.string(),
  }),
  z.object({
    kind: z.literal('freeze'),
    repositoryId: z.string(),
    snapshotId: z.string(),
    frozenAt: z.string(),
    linkedAt: z.string(),
  }),
]);

export const DataSubjectRequest = z.object({
  id: z.string(),
  kind: RequestKind,
  /** A short reference to the person, kept in the register only. */
  requester: z.string(),
  receivedOn: Day,
  /** Received + one month, or + three after an extension (month-end days clamp: 31 Jan → 28/29 Feb). */
  dueOn: Day,
  extension: z.object({ reason: z.string(), at: z.string() }).nullable(),
  status: z.enum(['open', 'done', 'refused']),
  outcome: z.string().nullable(),
  closedAt: z.string().nullable(),
  links: z.array(RequestLink),
  recordedAt: z.string(),
  overdue: z.boolean(),
  /** Days until the deadline (0: today, negative: overdue); null once closed. */
  daysLeft: z.number().int().nullable(),
});

export const RequestsList = z.object({
  requests: z.array(DataSubjectRequest),
  summary: z.object({ open: z.number().int(), overdue: z.number().int(), nextDue: Day.nullable() }),
});

export const ControllerDetails = z.object({
  name: z.string().nullable(),
  contact: z.string().nullable(),
  dpoContact: z.string().nullable(),
  updatedAt: z.string().nullable(),
});

export const TransferInstruction = z.object({
  repositoryId: z.string(),
  location: z.string(),
  region: z.string(),
  /** The chosen region, when one is. */
  chosenRegion: z.string().nullable(),
  outsideChosenRegion: z.boolean(),
  instruction: z.string().nullable(),
  instructedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

export const requestMethods = {
  /** The register, open requests first (soonest deadline first), with how many are open and overdue. */
  'requests.list': { params: z.object({ openOnly: z.boolean().default(false) }), result: RequestsList },
  'requests.add': {
    params: z.object({
      kind: RequestKind,
      requester: z.string().trim().min(1, 'give a reference to who made the request').max(120),
      /** Default: today. */
      receivedOn: Day.optional(),
    }),
    result: DataSubjectRequest,
  },
  /** Extends the deadline to three months from receipt (Art. 12(3)); once, within the first month. */
  'requests.extend': {
    params: z.object({ id: nonEmpty, reason: z.string().trim().min(1, 'give the reason for the extension').max(1000) }),
    result: DataSubjectRequest,
  },
  /** Closes a request: done (a note, optional) or refused (the reason, required: Art. 12(4)). */
  'requests.close': {
    params: z.object({ id: nonEmpty, status: z.enum(['done', 'refused']), outcome: z.string().max(1000).optional() }),
    result: DataSubjectRequest,
  },
  /** Links an export file, an erasure (by its request id) or a frozen recovery point to a request. */
  'requests.link': {
    params: z.object({
      id: nonEmpty,
      link: z.discriminatedUnion('kind', [
        z.object({ kind: z.literal('export'), file: nonEmpty }),
        z.object({ kind: z.literal('erasure'), request: nonEmpty }),
        z.object({ kind: z.literal('freeze'), repositoryId: nonEmpty, snapshotId: nonEmpty }),
      ]),
    }),
    result: DataSubjectRequest,
  },

  'controller.get': { params: z.object({}), result: ControllerDetails },
  /** Sets the controller's name and contact (both required in the end) and the DPO's contact (null: none). */
  'controller.set': {
    params: z.object({
      name: z.string().max(200).optional(),
      contact: z.string().max(500).optional(),
      dpoContact: z.string().max(500).nullable().optional(),
    }),
    result: ControllerDetails,
  },

  /** Where a repository's data is, against the chosen region, and its instruction if any. */
  'transfers.get': { params: z.object({ repositoryId: nonEmpty }), result: TransferInstruction },
  /** Gives the instruction to store a repository outside the chosen region (audited, in the records). */
  'transfers.instruct': {
    params: z.object({
      repositoryId: nonEmpty,
      instruction: z.string().trim().min(1, 'say why the data may be stored there').max(1000),
    }),
    result: TransferInstruction,
  },
  /** Revokes that instruction (audited; the records then show the location without one). */
  'transfers.revoke': { params: z.object({ repositoryId: nonEmpty }), result: TransferInstruction },
} as const;
