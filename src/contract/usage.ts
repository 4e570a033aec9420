/**
 * Usage statistics as the contract shows them (usage.preview, usage.setEndpoint): the weekly
 * report — no identifier, buckets only, the ISO week as the finest time — with its true buckets and
 * one randomised sample, the ε of the randomisation, and what waits to be sent.
 */
import { z } from 'zod';

/** One weekly usage report: no identifier, buckets only, the week as the finest time. */
export const UsagePayload = z.strictObject({
  schema: z.literal(2),
  week: z.string().regex(/^\d{4}-W\d{2}$/),
  appVersion: z.string(),
  osFamily: z.enum(['windows', 'macos', 'linux', 'other']),
  backups: z.string(),
  restores: z.string(),
  largestBackup: z.string(),
});

export const UsagePreview = z.object({
  enabled: z.boolean(),
  endpoint: z.string().nullable(),
  /** This week's report with the true buckets (an empty week when nothing is counted). */
  payload: UsagePayload,
  /** One draw of the same report after randomised response: the form that is sent. */
  randomised: UsagePayload,
  /** How the counters are randomised: ε per counter and per report, and each counter's odds. */
  privacy: z.object({
    mechanism: z.string(),
    epsilonPerCounter: z.number(),
    epsilonPerReport: z.number(),
    counters: z.record(z.string(), z.object({ buckets: z.array(z.string()), keep: z.number(), eachOther: z.number() })),
  }),
  /** Reports waiting to be sent. */
  pending: z.number().int(),
  /** The earliest time a waiting report may be sent (a random delay after its week), or null. */
  nextSendAt: z.string().nullable(),
});
