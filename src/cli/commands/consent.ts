/**
 * `cairn consent list|give PURPOSE|withdraw PURPOSE`: the consent ledger. Giving shows the notice
 * text whose version and SHA-256 are recorded. Withdrawing usage statistics deletes what was not
 * sent; withdrawing the backup purpose stops scheduled backups (in the app) and offers erasure.
 * The use case, shared with the app, is src/app/services/consent.ts.
 */

import { CairnError } from '../../app/errors.js';
import { isPurpose, PURPOSES, setConsent } from '../../app/services/consent.js';
import { table } from '../output.js';
import { privacyRecords } from '../privacy-records.js';
import { type Command, EXIT } from './types.js';

export const consentCommand: Command = {
  name: 'consent',
  summary: `list, give or withdraw consent (${PURPOSES.join(', ')})`,
  usage: 'cairn consent list | consent give PURPOSE | consent withdraw PURPOSE',
  options: [],
  subcommands: ['list', 'give', 'withdraw'],
  async run(ctx, args) {
    const [action, purpose, extra] = args;
    if (extra !== undefined) throw Object.assign(new Error(`unexpected argument "${extra}"`), { usage: true });
    const records = privacyRecords(ctx);
    if (action === 'list') {
      const states = records.consent.list();
      ctx.print(states, () =>
        table(
          states.map((s) => [
            s.purpose,
            s.given ? 'given' : s.last ? 'withdrawn' : 'not given',
            s.last
              ? `${s.last.at.replace('T', ' ').slice(0, 19)} (${s.last.via})`
              : s.required
                ? 'implied by set-up'
                : '—',
            `v${s.notice.version} ${s.notice.sha256.slice(0, 12)}`,
          ]),
          ['Purpose', 'State', 'Since (UTC)', 'Notice'],
        ),
      );
      return EXIT.ok;
    }
    if (action !== 'give' && action !== 'withdraw') {
      throw new CairnError('invalid-argument', `unknown consent action "${action ?? ''}": use list, give or withdraw`);
    }
    if (!purpose) throw Object.assign(new Error(`name a purpose: ${PURPOSES.join(', ')}`), { usage: true });
    if (!isPurpose(purpose)) {
      throw new CairnError('invalid-argument', `unknown purpose "${purpose}": use one of ${PURPOSES.join(', ')}`);
    }
    const given = action === 'give';
    const { record, notice, usageDiscarded, offerErasure } = setConsent(records, purpose, given, 'cli');
    const note = usageDiscarded
      ? 'usage statistics stopped; everything not yet sent was deleted'
      : offerErasure
        ? 'scheduled backups stop (in the app and "cairn serve"); stored recovery points are kept until you erase them'
        : '';
    ctx.print({ record, notice: { title: notice.title, text: notice.text }, note: note || null }, () =>
      [
        ...(given ? [`${notice.title} (notice v${notice.version}):`, notice.text, ''] : []),
        `${given ? 'consent given' : 'consent withdrawn'}: ${purpose} (notice v${record.noticeVersion}, sha256 ${record.noticeSha256.slice(0, 16)}…)`,
        ...(note ? [note] : []),
      ].join('\n'),
    );
    return EXIT.ok;
  },
};
