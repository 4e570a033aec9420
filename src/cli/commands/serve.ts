/**
 * `cairn serve [--port N]`: runs the engine headless behind a local web server (127.0.0.1 only)
 * and prints the address with its one-time access token as the first line; stops on Ctrl+C or
 * SIGTERM, cancelling running tasks and closing repositories and the catalog. With a password
 * (`--password-file FILE`, `--password-command CMD` or their CAIRN_* variables, password.ts) it
 * first unlocks every repository of the catalog that the password opens (unlock-at-start.ts), for
 * a machine run as a service. With
 * `--webhook URL [--webhook-kind healthchecks|ntfy]` it sets the alert webhook in the app's settings
 * (kept for later starts, audited like a change in Settings; `--webhook off` removes it), so a
 * machine nobody looks at tells a monitor or a phone how its backups went.
 */

import { resolveDataDir } from '../../app/host/data-dir.js';
import { EngineHost } from '../../app/host/engine-host.js';
import { parseWebhookUrl, WEBHOOK_KINDS, type WebhookKind, webhookHost } from '../../app/services/webhook-settings.js';
import { startServer } from '../../server/index.js';
import { choosePassword, passwordFrom } from '../password.js';
import { unlockAll } from '../unlock-at-start.js';
import { untilStopped } from '../until-stopped.js';
import { type Command, EXIT, str } from './types.js';

function parsePort(text: string | undefined): number {
  if (text === undefined) return 0;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) {
    throw Object.assign(new Error(`"${text}" is not a port number (0–65535; 0 picks a free port)`), { usage: true });
  }
  return port;
}

function usageError(message: string): Error {
  return Object.assign(new Error(message), { usage: true });
}

/** What `--webhook` and `--webhook-kind` ask for: a webhook, null to remove it, undefined to leave it. */
function webhookOption(url: string | undefined, kindText: string | undefined) {
  if (url === undefined) {
    if (kindText !== undefined) throw usageError('--webhook-kind goes with --webhook URL');
    return undefined;
  }
  if (url.trim() === 'off') {
    if (kindText !== undefined) throw usageError('--webhook off removes the alert webhook: give no --webhook-kind');
    return null;
  }
  const kind = (kindText ?? 'healthchecks') as WebhookKind;
  if (!WEBHOOK_KINDS.includes(kind)) {
    throw usageError(`--webhook-kind must be ${WEBHOOK_KINDS.join(' or ')}, not "${kindText}"`);
  }
  try {
    parseWebhookUrl(url, kind);
  } catch (err) {
    throw usageError(`--webhook: ${(err as Error).message}`);
  }
  return { kind, url };
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run Cairn headless: the interface and API on a local web address',
  usage:
    'cairn serve [--port N] [--data-dir D] [--password-file FILE | --password-command CMD] [--webhook URL|off [--webhook-kind healthchecks|ntfy]]',
  options: [
    { name: 'port', short: 'p', value: 'N', description: 'the port on 127.0.0.1 to listen on (default 0: a free one)' },
    {
      name: 'webhook',
      value: 'URL|off',
      description: 'send alerts on backups and damage to this address (kept in the settings); off removes it',
    },
    {
      name: 'webhook-kind',
      value: 'KIND',
      choices: WEBHOOK_KINDS,
      description: 'what the webhook address is: healthchecks (default) or ntfy',
    },
  ],
  async run(ctx, _args, values) {
    const port = parsePort(str(values, 'port'));
    const webhook = webhookOption(str(values, 'webhook'), str(values, 'webhook-kind'));
    const dataDir = resolveDataDir(ctx.dataDir());
    // The sources of every command, without the prompt: none given, every repository starts locked.
    // Read before anything starts: a wrong file or a failing command stops here, plainly.
    const source = choosePassword(ctx.passwordSpec());
    const password = source ? await passwordFrom(source) : undefined;
    const host = EngineHost.open({ dataDir, watch: true });
    if (webhook !== undefined) {
      try {
        await host.call('settings.set', { webhook });
      } catch (err) {
        await host.close();
        throw err;
      }
      if (!ctx.options.quiet) {
        process.stderr.write(
          webhook ? `alerts go to ${webhookHost(webhook.url)} (${webhook.kind})\n` : 'alerts by web address are off\n',
        );
      }
    }
    if (password !== undefined) {
      const report = await unlockAll(host, password);
      if (!ctx.options.quiet && report.unlocked.length > 0)
        process.stderr.write(`unlocked at start: ${report.unlocked.join(', ')}\n`);
      for (const { label, reason } of report.locked) ctx.warn(`"${label}" stays locked: ${reason}`);
    }
    let server: Awaited<ReturnType<typeof startServer>>;
    try {
      server = await startServer({ host, port });
    } catch (err) {
      await host.close();
      const e = err as NodeJS.ErrnoException;
      if (e?.code === 'EADDRINUSE')
        throw new Error(`port ${port} is already in use; choose another with --port, or --port 0`);
      throw err;
    }
    process.stdout.write(`Cairn is running at http://127.0.0.1:${server.port}/#token=${server.token}\n`);
    if (!ctx.options.quiet) {
      process.stdout.write(
        `App data: ${dataDir}\nOpen the address above in a browser on this computer. Press Ctrl+C to stop.\n`,
      );
    }
    await untilStopped();
    await server.close();
    await host.close();
    if (!ctx.options.quiet) process.stdout.write('Cairn stopped.\n');
    // Everything is closed and saved by now. A connection some late call opened to remote storage
    // (an SSH socket) must not keep a stopped service alive: its manager waits for the exit.
    setTimeout(() => process.exit(EXIT.ok), 2_000).unref();
    return EXIT.ok;
  },
};
