/**
 * `cairn privacy requests add|list|done|refuse|extend|link`: the requests register (GDPR Art. 12)
 * of the app data folder — requests people make about their data, each due one month after
 * receipt (three after an extension), with links to the export, erasure or freeze done for it.
 * The register and its use cases, shared with the app, are src/app/privacy/requests.ts and
 * src/app/services/requests.ts.
 */
import path from 'node:path';
import { CairnError } from '../../app/errors.js';
import {
  type LinkTarget,
  linkRequest,
  REQUEST_KINDS,
  type RequestView,
  requestsSummary,
} from '../../app/services/requests.js';
import { table } from '../output.js';
import { privacyRecords } from '../privacy-records.js';
import type { PrivacySubcommand } from './privacy-subcommand.js';
import { EXIT, flag, str } from './types.js';

const ACTIONS = ['add', 'list', 'done', 'refuse', 'extend', 'link'] as const;

function usageError(message: string): Error {
  return Object.assign(new Error(message), { usage: true });
}

function deadline(r: RequestView): string {
  if (r.daysLeft === null) return '—';
  if (r.daysLeft < 0) return `overdue by ${-r.daysLeft} day(s)`;
  return r.daysLeft === 0 ? 'due today' : `${r.daysLeft} day(s) left`;
}

function describeRequest(r: RequestView): string {
  const links = r.links.map((l) =>
    l.kind === 'export'
      ? `export ${l.file} (sha256 ${l.sha256.slice(0, 12)}…)`
      : l.kind === 'erasure'
        ? `erasure ${l.request}${l.pathHash ? ` (path hash ${l.pathHash.slice(0, 12)}…)` : ''}`
        : `freeze of recovery point ${l.snapshotId.slice(0, 8)}`,
  );
  return [
    `request ${r.id}: ${r.kind}, from "${r.requester}", received ${r.receivedOn}, due ${r.dueOn}${r.extension ? ' (extended)' : ''}`,
    `status: ${r.status}${r.outcome ? ` (${r.outcome})` : ''}${r.status === 'open' ? `, ${deadline(r)}` : ''}`,
    ...(links.length > 0 ? [`linked: ${links.join('; ')}`] : []),
  ].join('\n');
}

function linkTarget(values: Parameters<PrivacySubcommand['run']>[2]): LinkTarget {
  const file = str(values, 'export');
  const erasure = str(values, 'erasure');
  const freeze = str(values, 'freeze');
  const given = [file, erasure, freeze].filter((v) => v !== undefined);
  if (given.length !== 1) throw usageError('link one thing at a time: --export FILE, --erasure REQUEST or --freeze ID');
  if (file !== undefined) return { kind: 'export', file: path.resolve(file) };
  if (erasure !== undefined) return { kind: 'erasure', request: erasure };
  return { kind: 'freeze', snapshotId: freeze as string, repositoryId: str(values, 'repository-id') };
}

export const privacyRequestsCommand: PrivacySubcommand = {
  summary: 'the requests register (GDPR Art. 12): record requests, their one-month deadline, and what was done',
  usage:
    'cairn privacy requests list [--all] | requests add --kind K --requester REF [--received YYYY-MM-DD] | requests done ID [--note TEXT] | requests refuse ID --because TEXT | requests extend ID --because TEXT | requests link ID (--export FILE | --erasure REQUEST | --freeze ID [--repository-id ID])',
  options: [
    { name: 'all', description: 'list closed requests too' },
    { name: 'kind', value: 'K', description: 'the kind of request', choices: REQUEST_KINDS },
    { name: 'requester', value: 'REF', description: 'a short reference to who made it (kept only in the register)' },
    { name: 'received', value: 'YYYY-MM-DD', description: 'the day it was received (default: today)' },
    { name: 'note', value: 'TEXT', description: 'what was done (requests done)' },
    { name: 'because', value: 'TEXT', description: 'the reason for refusing or extending a request' },
    { name: 'export', value: 'FILE', description: 'link a Cairn export ZIP made for the request' },
    {
      name: 'erasure',
      value: 'REQUEST',
      description: 'link an erasure by its request id (see "cairn privacy receipts")',
    },
    { name: 'freeze', value: 'ID', description: 'link a frozen recovery point' },
    { name: 'repository-id', value: 'ID', description: "the frozen recovery point's repository (when ambiguous)" },
  ],
  async run(ctx, args, values) {
    const [action, id, ...extra] = args;
    if (extra.length > 0) throw usageError(`unexpected argument "${extra[0]}"`);
    if (!(ACTIONS as readonly string[]).includes(action ?? '')) {
      throw usageError(`${action ? `unknown action "${action}"` : 'name an action'}: ${ACTIONS.join(', ')}`);
    }
    const records = privacyRecords(ctx);
    const register = records.requests;
    if (action === 'list') {
      if (id !== undefined) throw usageError(`unexpected argument "${id}"`);
      const all = flag(values, 'all');
      const list = register.list({ openOnly: !all });
      const summary = requestsSummary(register.list({ openOnly: true }));
      ctx.print({ requests: list, summary }, () =>
        [
          `${summary.open} open request(s), ${summary.overdue} overdue${summary.nextDue ? `; next due ${summary.nextDue}` : ''}`,
          list.length === 0
            ? all
              ? 'no requests were ever recorded'
              : 'no open requests (--all shows closed ones too)'
            : table(
                list.map((r) => [
                  r.id,
                  r.kind,
                  r.requester,
                  r.receivedOn,
                  r.dueOn,
                  r.status,
                  deadline(r),
                  String(r.links.length),
                ]),
                ['ID', 'Kind', 'Requester', 'Received', 'Due', 'Status', 'Deadline', 'Links'],
              ),
        ].join('\n'),
      );
      return EXIT.ok;
    }
    if (action === 'add') {
      if (id !== undefined) throw usageError(`unexpected argument "${id}"`);
      const kind = str(values, 'kind');
      const requester = str(values, 'requester');
      if (!kind || !requester) throw usageError('--kind and --requester are required');
      const request = register.add({ kind, requester, receivedOn: str(values, 'received') });
      ctx.print(request, () => `recorded ${describeRequest(request)}`);
      return EXIT.ok;
    }
    if (!id) throw usageError('name the request (see "cairn privacy requests list")');
    let request: RequestView;
    if (action === 'done') request = register.close(id, 'done', str(values, 'note'));
    else if (action === 'refuse') {
      const because = str(values, 'because');
      if (!because)
        throw new CairnError('invalid-argument', 'say why the request is refused: --because TEXT (Art. 12(4))');
      request = register.close(id, 'refused', because);
    } else if (action === 'extend') {
      const because = str(values, 'because');
      if (!because)
        throw new CairnError('invalid-argument', 'say why more time is needed: --because TEXT (Art. 12(3))');
      request = register.extend(id, because);
    } else request = linkRequest(records, ctx.appDataDir(), id, linkTarget(values));
    ctx.print(request, () => describeRequest(request));
    return EXIT.ok;
  },
};
