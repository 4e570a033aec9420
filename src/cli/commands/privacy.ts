/**
 * `cairn privacy SUBCOMMAND`: the privacy records, erasure and restriction. The subcommands live
 * in their own files and are listed in PRIVACY_SUBCOMMANDS (one line each); the command accepts the
 * options of all of them, and refuses an option that belongs to another subcommand. Region and
 * usage statistics go through the settings use cases shared with the app
 * (src/app/services/privacy-settings.ts); their listing here is the privacy records' own (with
 * when, how and on whose instruction each location was declared).
 */

import { CairnError } from '../../app/errors.js';
import { chooseRegion, REGIONS, setUsageEndpoint, usagePreview } from '../../app/services/privacy-settings.js';
import { foreignOption, mergeSubcommandOptions } from '../option-table.js';
import { table } from '../output.js';
import { privacyRecords } from '../privacy-records.js';
import { privacyControllerCommand, privacyTransferCommand } from './privacy-controller.js';
import { privacyEraseCommand } from './privacy-erase.js';
import { exportSubcommand, recordSubcommand } from './privacy-export.js';
import { privacyFreezeCommand, privacyUnfreezeCommand } from './privacy-freeze.js';
import { privacyReceiptsCommand } from './privacy-receipts.js';
import { privacyRequestsCommand } from './privacy-requests.js';
import type { PrivacySubcommand } from './privacy-subcommand.js';
import { type Command, EXIT, flag, type OptionDef, str } from './types.js';

const regionSubcommand: PrivacySubcommand = {
  summary: `show the chosen region and every storage location's region; --set R chooses it (${REGIONS.join(', ')})`,
  usage: 'cairn privacy region [--set R]',
  options: [{ name: 'set', value: 'R', description: 'choose the region data is kept in', choices: REGIONS }],
  async run(ctx, args, values) {
    if (args.length > 0) throw Object.assign(new Error(`unexpected argument "${args[0]}"`), { usage: true });
    const records = privacyRecords(ctx);
    const regions = records.regions;
    const wanted = str(values, 'set');
    if (wanted !== undefined) chooseRegion(records, wanted);
    const chosen = regions.chosen();
    const locations = regions
      .locations()
      .map((l) => ({ ...l, outsideChosenRegion: chosen !== null && l.region !== chosen }));
    ctx.print({ chosen, locations }, () =>
      [
        wanted !== undefined ? `chosen region set to ${chosen}: data stays there unless you instruct otherwise` : '',
        `chosen region: ${chosen ?? 'none (nothing is pinned yet; set one with --set)'}`,
        locations.length === 0
          ? 'no storage locations recorded'
          : table(
              locations.map((l) => [
                l.location,
                l.region,
                l.repositoryId.slice(0, 8),
                l.outsideChosenRegion ? 'outside' : '',
              ]),
              ['Location', 'Region', 'Repository', ''],
            ),
      ]
        .filter(Boolean)
        .join('\n'),
    );
    return EXIT.ok;
  },
};

const usageSubcommand: PrivacySubcommand = {
  summary:
    'show the weekly usage-statistics report (true buckets and a randomised sample), its ε, and where it goes; set the address',
  usage: 'cairn privacy usage [--endpoint URL | --no-endpoint]',
  options: [
    { name: 'endpoint', value: 'URL', description: 'the address usage statistics are sent to (only with consent)' },
    { name: 'no-endpoint', description: 'send usage statistics nowhere' },
  ],
  async run(ctx, args, values) {
    if (args.length > 0) throw Object.assign(new Error(`unexpected argument "${args[0]}"`), { usage: true });
    const records = privacyRecords(ctx);
    const endpoint = str(values, 'endpoint');
    if (endpoint !== undefined && flag(values, 'no-endpoint'))
      throw new CairnError('invalid-argument', 'use either --endpoint or --no-endpoint');
    const result =
      endpoint !== undefined
        ? setUsageEndpoint(records, endpoint)
        : flag(values, 'no-endpoint')
          ? setUsageEndpoint(records, null)
          : usagePreview(records);
    const { privacy } = result;
    ctx.print(result, () =>
      [
        `usage statistics: ${result.enabled ? 'on (consent given)' : 'off (no consent: nothing is counted)'}`,
        `sent to: ${result.endpoint ?? 'nowhere (no address configured)'}`,
        `reports waiting: ${result.pending}${result.nextSendAt ? ` (the first may be sent after ${result.nextSendAt})` : ''}`,
        `this week's report, true buckets (never sent as it is):\n${JSON.stringify(result.payload, null, 2)}`,
        `the same after randomised response, one sample of what is sent:\n${JSON.stringify(result.randomised, null, 2)}`,
        `each counter keeps its true bucket only by chance (${privacy.mechanism}): ε = ln 3 ≈ ${privacy.epsilonPerCounter.toFixed(2)} per counter, ${privacy.epsilonPerReport.toFixed(2)} per report`,
      ].join('\n'),
    );
    return EXIT.ok;
  },
};

/** `cairn privacy NAME`: add a subcommand with one line here. */
export const PRIVACY_SUBCOMMANDS: Record<string, PrivacySubcommand> = {
  export: exportSubcommand,
  record: recordSubcommand,
  region: regionSubcommand,
  usage: usageSubcommand,
  erase: privacyEraseCommand,
  freeze: privacyFreezeCommand,
  unfreeze: privacyUnfreezeCommand,
  receipts: privacyReceiptsCommand,
  requests: privacyRequestsCommand,
  controller: privacyControllerCommand,
  transfer: privacyTransferCommand,
};

export const privacyCommand: Command = {
  name: 'privacy',
  summary: `privacy records and rights: ${Object.keys(PRIVACY_SUBCOMMANDS).join(', ')}`,
  get usage() {
    return Object.values(PRIVACY_SUBCOMMANDS)
      .map((s) => s.usage)
      .join('\n       ');
  },
  get options(): readonly OptionDef[] {
    return mergeSubcommandOptions(PRIVACY_SUBCOMMANDS);
  },
  subcommands: Object.keys(PRIVACY_SUBCOMMANDS),
  async run(ctx, args, values) {
    const [name, ...rest] = args;
    const sub = name ? PRIVACY_SUBCOMMANDS[name] : undefined;
    if (!sub) {
      throw Object.assign(
        new Error(
          `${name ? `unknown subcommand "${name}"` : 'name a subcommand'}: ${Object.keys(PRIVACY_SUBCOMMANDS).join(', ')}`,
        ),
        { usage: true },
      );
    }
    const foreign = foreignOption(values, privacyCommand.options, sub);
    if (foreign !== undefined) {
      throw Object.assign(new Error(`--${foreign} is not an option of "cairn privacy ${name}"\nusage: ${sub.usage}`), {
        usage: true,
      });
    }
    return sub.run(ctx, rest, values);
  },
};
