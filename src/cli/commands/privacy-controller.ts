/**
 * `cairn privacy controller` shows or sets who the controller is for the records of processing
 * (name, contact, data protection officer: GDPR Art. 30(1)(a)); `cairn privacy transfer REPO`
 * shows, gives (--instruct "reason") or revokes (--revoke) the instruction to keep a repository
 * outside the chosen region. The use cases, shared with the app, are in src/app/privacy/controller.ts
 * and src/app/services/transfers.ts; both are audited.
 */
import { CairnError } from '../../app/errors.js';
import type { ControllerChange } from '../../app/privacy/controller.js';
import { instructTransfer, recordedRepository, revokeTransfer, transferState } from '../../app/services/transfers.js';
import { privacyRecords } from '../privacy-records.js';
import type { PrivacySubcommand } from './privacy-subcommand.js';
import { EXIT, flag, str } from './types.js';

function usageError(message: string): Error {
  return Object.assign(new Error(message), { usage: true });
}

export const privacyControllerCommand: PrivacySubcommand = {
  summary: "show or set the controller's name and contact and the DPO's contact for the records of processing",
  usage:
    'cairn privacy controller [--controller-name NAME] [--controller-contact CONTACT] [--dpo-contact CONTACT | --no-dpo]',
  options: [
    { name: 'controller-name', value: 'NAME', description: 'the controller: a person or an organisation' },
    { name: 'controller-contact', value: 'CONTACT', description: "the controller's postal address and/or email" },
    {
      name: 'dpo-contact',
      value: 'CONTACT',
      description: "the data protection officer's contact, if one is designated",
    },
    { name: 'no-dpo', description: 'no data protection officer is designated (removes the contact)' },
  ],
  async run(ctx, args, values) {
    if (args.length > 0) throw usageError(`unexpected argument "${args[0]}"`);
    const records = privacyRecords(ctx);
    const change: ControllerChange = {};
    const name = str(values, 'controller-name');
    const contact = str(values, 'controller-contact');
    const dpo = str(values, 'dpo-contact');
    if (dpo !== undefined && flag(values, 'no-dpo'))
      throw new CairnError('invalid-argument', 'use either --dpo-contact or --no-dpo');
    if (name !== undefined) change.name = name;
    if (contact !== undefined) change.contact = contact;
    if (dpo !== undefined) change.dpoContact = dpo;
    if (flag(values, 'no-dpo')) change.dpoContact = null;
    const changing = Object.keys(change).length > 0;
    const details = changing ? records.controller.set(change) : records.controller.read();
    ctx.print(details, () =>
      [
        changing ? 'controller details saved (audited as controller.changed)' : '',
        `controller: ${details.name ?? 'not set (give --controller-name and --controller-contact)'}`,
        `contact: ${details.contact ?? '—'}`,
        `data protection officer: ${details.dpoContact ?? 'none designated'}`,
      ]
        .filter(Boolean)
        .join('\n'),
    );
    return EXIT.ok;
  },
};

export const privacyTransferCommand: PrivacySubcommand = {
  summary:
    'show, give (--instruct) or revoke (--revoke) the instruction to store a repository outside the chosen region',
  usage: 'cairn privacy transfer REPOSITORY-ID [--instruct REASON | --revoke]',
  options: [
    { name: 'instruct', value: 'REASON', description: 'why the data may be stored outside the chosen region' },
    { name: 'revoke', description: 'withdraw the instruction' },
  ],
  async run(ctx, args, values) {
    const [id, ...extra] = args;
    if (!id) throw usageError('name the repository by its id (see "cairn privacy region")');
    if (extra.length > 0) throw usageError(`unexpected argument "${extra[0]}"`);
    const instruction = str(values, 'instruct');
    const revoke = flag(values, 'revoke');
    if (instruction !== undefined && revoke)
      throw new CairnError('invalid-argument', 'use either --instruct or --revoke');
    const records = privacyRecords(ctx);
    const repo = recordedRepository(records, id);
    const state =
      instruction !== undefined
        ? instructTransfer(records, repo, instruction)
        : revoke
          ? revokeTransfer(records, repo)
          : transferState(records, repo);
    ctx.print(state, () =>
      [
        `${state.location}: region ${state.region}, chosen region ${state.chosenRegion ?? 'none'}${state.outsideChosenRegion ? ' (outside it)' : ''}`,
        state.instruction
          ? `instruction: ${state.instruction} (given ${state.instructedAt})`
          : `no instruction${state.revokedAt ? ` (revoked ${state.revokedAt})` : ''}`,
      ].join('\n'),
    );
    return EXIT.ok;
  },
};
