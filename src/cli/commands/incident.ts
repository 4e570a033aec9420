/**
 * `cairn incident list|open|close`: the incident register (GDPR Art. 33, 34). Integrity failures
 * found by `cairn check` or the app open incidents on their own; `open` records one by hand and
 * `close ID --measures "…"` closes one with the measures taken. The use cases, shared with the
 * app, are in src/app/services/incidents.ts.
 */

import { CairnError } from '../../app/errors.js';
import {
  closeIncident,
  NOTIFICATION_STATUSES,
  type NotificationStatus,
  openIncidentByHand,
} from '../../app/services/incidents.js';
import { table } from '../output.js';
import { privacyRecords } from '../privacy-records.js';
import { type Command, EXIT, flag, list, str } from './types.js';

function notification(text: string | undefined): NotificationStatus | undefined {
  if (text === undefined) return undefined;
  if (!(NOTIFICATION_STATUSES as readonly string[]).includes(text)) {
    throw new CairnError('invalid-argument', `--notification must be one of ${NOTIFICATION_STATUSES.join(', ')}`);
  }
  return text as NotificationStatus;
}

function timeLeft(hours: number | null): string {
  if (hours === null) return '—';
  if (hours < 0) return `overdue by ${Math.abs(hours).toFixed(1)} h`;
  return `${hours.toFixed(1)} h left`;
}

export const incidentCommand: Command = {
  name: 'incident',
  summary: 'the incident register: list, open by hand, close with the measures taken',
  usage:
    'cairn incident list [--all] | incident open --title T [--category C]... [--measures M]... [--aware-at ISO-TIME] [--not-encrypted] | incident close ID --measures M... [--notification STATUS]',
  options: [
    { name: 'all', description: 'list closed incidents too', subcommands: ['list'] },
    { name: 'title', value: 'T', description: 'what happened, in a line (required)', subcommands: ['open'] },
    {
      name: 'category',
      value: 'C',
      multiple: true,
      description: 'a category of personal data concerned',
      subcommands: ['open'],
    },
    { name: 'measures', value: 'M', multiple: true, description: 'a measure taken', subcommands: ['open', 'close'] },
    { name: 'finding', value: 'TEXT', description: 'what was found, in detail', subcommands: ['open'] },
    {
      name: 'aware-at',
      value: 'ISO-TIME',
      description: 'when it became known (default: now); the 72 hours to notify run from then',
      subcommands: ['open'],
    },
    {
      name: 'not-encrypted',
      description: 'the data concerned was not encrypted under keys kept secret',
      subcommands: ['open'],
    },
    {
      name: 'notification',
      value: 'STATUS',
      choices: NOTIFICATION_STATUSES,
      description: 'whether the supervisory authority was notified',
      subcommands: ['close'],
    },
  ],
  subcommands: ['list', 'open', 'close'],
  async run(ctx, args, values) {
    const [action, id] = args;
    const records = privacyRecords(ctx);
    switch (action) {
      case 'list': {
        const incidents = records.incidents.list({ openOnly: !flag(values, 'all') });
        ctx.print(incidents, () =>
          incidents.length === 0
            ? flag(values, 'all')
              ? 'no incidents were ever recorded'
              : 'no open incidents (--all shows closed ones too)'
            : table(
                incidents.map((i) => [
                  i.id,
                  i.status,
                  i.kind,
                  i.title,
                  i.notifyBy.replace('T', ' ').slice(0, 16),
                  timeLeft(i.hoursLeft),
                  i.encryptedUnderSecretKeys ? 'yes' : 'no',
                ]),
                ['ID', 'Status', 'Kind', 'Title', 'Notify by (UTC)', 'Time left', 'Encrypted'],
              ),
        );
        return EXIT.ok;
      }
      case 'open': {
        const title = str(values, 'title');
        if (!title) throw Object.assign(new Error('--title is required'), { usage: true });
        const awareText = str(values, 'aware-at');
        const awareAt = awareText ? new Date(awareText) : undefined;
        if (awareAt && Number.isNaN(awareAt.getTime()))
          throw new CairnError('invalid-argument', `--aware-at "${awareText}" is not a date and time`);
        const incident = openIncidentByHand(records, {
          title,
          finding: str(values, 'finding'),
          awareAt,
          dataCategories: list(values, 'category'),
          measures: list(values, 'measures'),
          encryptedUnderSecretKeys: !flag(values, 'not-encrypted'),
        });
        ctx.print(
          incident,
          () =>
            `opened incident ${incident.id}: notify the supervisory authority by ${incident.notifyBy} (${timeLeft(incident.hoursLeft)}) unless no risk is likely`,
        );
        return EXIT.ok;
      }
      case 'close': {
        if (!id)
          throw Object.assign(new Error('name the incident to close (see "cairn incident list")'), { usage: true });
        const incident = closeIncident(records, id, {
          measures: list(values, 'measures'),
          notification: notification(str(values, 'notification')),
        });
        ctx.print(incident, () => `closed incident ${incident.id} (${incident.measures.length} measure(s) recorded)`);
        return EXIT.ok;
      }
      default:
        throw new CairnError('invalid-argument', `unknown incident action "${action ?? ''}": use list, open or close`);
    }
  },
};
