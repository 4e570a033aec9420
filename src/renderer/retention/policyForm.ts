/**
 * The retention form's fields as text (what the inputs hold) and their conversion to a contract
 * policy, with inline errors per field; also which field a server-side refusal is about.
 */
import type { z } from 'zod';
import type { RetentionPolicy } from '../../contract/schemas.js';

export type Policy = z.output<typeof RetentionPolicy>;

export const COUNT_FIELDS = [
  ['last', 'Keep the last', 'recovery points'],
  ['hourly', 'Keep hourly', 'hours with a recovery point'],
  ['daily', 'Keep daily', 'days'],
  ['weekly', 'Keep weekly', 'weeks'],
  ['monthly', 'Keep monthly', 'months'],
  ['yearly', 'Keep yearly', 'years'],
] as const;

export type CountField = (typeof COUNT_FIELDS)[number][0];
export type FieldName = CountField | 'within' | 'tags';
export type PolicyFields = Record<FieldName, string>;
export type FieldErrors = Partial<Record<FieldName | 'form', string>>;

export const EMPTY_FIELDS: PolicyFields = {
  last: '',
  hourly: '',
  daily: '',
  weekly: '',
  monthly: '',
  yearly: '',
  within: '',
  tags: '',
};

export function fieldsFromPolicy(policy: Policy | null): PolicyFields {
  if (!policy) return { ...EMPTY_FIELDS };
  const text = (n: number | undefined) => (n === undefined ? '' : String(n));
  return {
    last: text(policy.last),
    hourly: text(policy.hourly),
    daily: text(policy.daily),
    weekly: text(policy.weekly),
    monthly: text(policy.monthly),
    yearly: text(policy.yearly),
    within: policy.within ?? '',
    tags: (policy.tags ?? []).join(', '),
  };
}

/** The policy the fields describe, or the errors that stop it from being one. */
export function policyFromFields(fields: PolicyFields): { policy: Policy | null; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const policy: Policy = {};
  for (const [name] of COUNT_FIELDS) {
    const value = fields[name].trim();
    if (value === '') continue;
    if (!/^\d+$/.test(value)) errors[name] = 'Enter a whole number of 0 or more.';
    else policy[name] = Number(value);
  }
  const within = fields.within.trim();
  if (within !== '') {
    if (!/^(\d+[yMmwdh])+$/.test(within)) errors.within = 'Use a duration such as 30d, 6m or 1y2m (y, m, w, d, h).';
    else policy.within = within;
  }
  const tags = fields.tags
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  if (tags.length > 0) policy.tags = tags;
  if (Object.keys(errors).length > 0) return { policy: null, errors };
  const keepsSomething =
    COUNT_FIELDS.some(([name]) => (policy[name] ?? 0) > 0) || policy.within !== undefined || tags.length > 0;
  if (!keepsSomething) {
    return { policy: null, errors: { form: 'Set at least one rule: a policy keeps what its rules name.' } };
  }
  return { policy, errors };
}

/** Which field a refusal from the engine is about (its messages name the rule in quotes). */
export function fieldOfError(message: string): FieldName | 'form' {
  const named = /rule "(\w+)"/.exec(message)?.[1];
  if (named && named in EMPTY_FIELDS) return named as FieldName;
  if (/duration/i.test(message)) return 'within';
  return 'form';
}
