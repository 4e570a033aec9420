/**
 * `cairn audit list|verify`: shows the audit trail of the privacy records, and verifies its hash
 * chain and head anchor (exit 0 when intact; 1 naming the first edited, removed, reordered or
 * truncated entry). The use case, shared with the app, is src/app/services/audit.ts.
 */
import { CairnError } from '../../app/errors.js';
import { listAuditEntries, verifyAuditTrail } from '../../app/services/audit.js';
import { table } from '../output.js';
import { privacyRecords } from '../privacy-records.js';
import { type Command, EXIT, str } from './types.js';

function positiveInt(text: string | undefined, option: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1)
    throw Object.assign(new Error(`--${option} must be a whole number above 0 (got "${text}")`), { usage: true });
  return Number(text);
}

export const auditCommand: Command = {
  name: 'audit',
  summary: 'show (list) or verify the audit trail of consent, settings, backups, restores, exports, keys',
  usage: 'cairn audit list [--limit N] [--before SEQ] | cairn audit verify',
  options: { limit: { type: 'string' }, before: { type: 'string' } },
  async run(ctx, args, values) {
    const [action, extra] = args;
    if (extra !== undefined) throw Object.assign(new Error(`unexpected argument "${extra}"`), { usage: true });
    const records = privacyRecords(ctx);
    switch (action) {
      case 'list': {
        const entries = listAuditEntries(records, {
          limit: positiveInt(str(values, 'limit'), 'limit'),
          before: positiveInt(str(values, 'before'), 'before'),
        });
        ctx.print(entries, () =>
          entries.length === 0
            ? `the audit trail is empty (${records.audit.file})`
            : table(
                entries.map((e) => [
                  String(e.seq),
                  e.at.replace('T', ' ').slice(0, 19),
                  e.actor,
                  e.action,
                  summarize(e.details),
                ]),
                ['Seq', 'Time (UTC)', 'By', 'Action', 'Details'],
              ),
        );
        return EXIT.ok;
      }
      case 'verify': {
        const result = verifyAuditTrail(records);
        ctx.print(result, () =>
          result.ok
            ? `the audit trail is intact: ${result.entries} entries, hash chain and head anchor verified`
            : `the audit trail is NOT intact: entry ${result.problem?.seq} ${result.problem?.kind}: ${result.problem?.message}`,
        );
        return result.ok ? EXIT.ok : EXIT.error;
      }
      default:
        throw new CairnError('invalid-argument', `unknown audit action "${action ?? ''}": use list or verify`);
    }
  },
};

function summarize(details: Record<string, unknown>): string {
  const text = Object.entries(details)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return text.length > 100 ? `${text.slice(0, 99)}…` : text;
}
