/**
 * `cairn audit list|verify`: shows the audit trail of the privacy records, and verifies its keyed
 * chain and head file and, when a repository is given (--repo or CAIRN_REPOSITORY; it is opened
 * with its password), the head anchored in it (exit 0 when intact; 1 naming the first edited,
 * forged, removed, reordered, truncated, deleted or recomputed entry). The use case, shared with
 * the app, is src/app/services/audit.ts.
 */
import { CairnError } from '../../app/errors.js';
import {
  type AnchorRepository,
  type AuditVerification,
  listAuditEntries,
  verifyAuditTrail,
} from '../../app/services/audit.js';
import type { CliContext } from '../context.js';
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
  usage: 'cairn audit list [--limit N] [--before SEQ] | cairn audit verify [--repo LOCATION]',
  options: [
    { name: 'limit', value: 'N', description: 'show at most the N newest entries', subcommands: ['list'] },
    { name: 'before', value: 'SEQ', description: 'show only entries before number SEQ', subcommands: ['list'] },
  ],
  subcommands: ['list', 'verify'],
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
        const repositories = await anchorRepositories(ctx);
        try {
          const result = await verifyAuditTrail(records, repositories);
          ctx.print(result, () => verifyText(result));
          return result.ok ? EXIT.ok : EXIT.error;
        } finally {
          for (const r of repositories) await r.close();
        }
      }
      default:
        throw new CairnError('invalid-argument', `unknown audit action "${action ?? ''}": use list or verify`);
    }
  },
};

/** The repository given on the command line, opened, or none when no repository is named. */
async function anchorRepositories(ctx: CliContext): Promise<(AnchorRepository & { close(): Promise<void> })[]> {
  if (ctx.options.repo === undefined && !process.env.CAIRN_REPOSITORY) return [];
  const repo = await ctx.openRepository();
  return [
    {
      id: repo.config.id,
      label: ctx.repositoryLocation(),
      keys: repo.keys,
      listSnapshots: () => repo.listSnapshots(),
      close: () => repo.close(),
    },
  ];
}

function verifyText(result: AuditVerification): string {
  const compared = result.anchors.map((a) =>
    a.anchor
      ? `repository "${a.label}": anchored at ${a.anchor.count} entries (${a.anchor.time.slice(0, 19).replace('T', ' ')} UTC)${a.problem ? ` — ${a.problem.kind}` : ', matches'}`
      : `repository "${a.label}": holds no anchor of this trail yet (it is anchored with the next backup)`,
  );
  const lines = result.ok
    ? [`the audit trail is intact: ${result.entries} entries, keyed chain and head file verified`]
    : [
        `the audit trail is NOT intact: entry ${result.problem?.seq} ${result.problem?.kind}: ${result.problem?.message}`,
      ];
  if (compared.length === 0)
    lines.push('no repository given (--repo): the trail was not compared with any repository anchor');
  lines.push(...compared, `chain key: ${result.keyLocation}`);
  return lines.join('\n');
}

function summarize(details: Record<string, unknown>): string {
  const text = Object.entries(details)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return text.length > 100 ? `${text.slice(0, 99)}…` : text;
}
