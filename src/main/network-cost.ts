/**
 * Whether this computer's connection is metered, asked of the operating system by a command:
 * NetworkManager's nmcli on Linux (each connected device's metered state), the Windows Runtime's
 * connection cost through Windows PowerShell on Windows. macOS has no command that reports it, so
 * there it is "not reported on this system" rather than a guess. A command that fails, or an answer
 * that cannot be read, gives "unknown", which holds no backup back. The command runner is passed
 * in, so tests read recorded answers.
 */
import { type ExecFileException, execFile } from 'node:child_process';
import type { ConditionReadingValue } from '../contract/conditions.js';

/** Runs `file` with `args` and resolves with what it printed; rejects with an Error saying why it failed. */
export type CommandRunner = (file: string, args: readonly string[]) => Promise<string>;

const COMMAND_TIMEOUT_MS = 15_000;

/** Each device's name, state and metered state, one `FIELD:value` line each (nmcli's terse form). */
export const NMCLI_ARGS = ['-t', '-f', 'GENERAL.DEVICE,GENERAL.STATE,GENERAL.METERED', 'device', 'show'] as const;

/**
 * The cost of the connection Windows uses for the internet, as "<NetworkCostType> <Roaming>
 * <OverDataLimit>" (e.g. "Unrestricted False False"), or "NoInternet" without one. Windows
 * PowerShell (powershell.exe) loads Windows Runtime types this way; PowerShell 7 does not.
 */
export const WINDOWS_COST_SCRIPT =
  '$p = [Windows.Networking.Connectivity.NetworkInformation,Windows.Networking.Connectivity,ContentType=WindowsRuntime]::GetInternetConnectionProfile(); ' +
  "if ($null -eq $p) { 'NoInternet' } else { $c = $p.GetConnectionCost(); " +
  '"$($c.NetworkCostType) $($c.Roaming) $($c.OverDataLimit)" }';

export const WINDOWS_ARGS = ['-NoProfile', '-NonInteractive', '-Command', WINDOWS_COST_SCRIPT] as const;

const unknown = (detail: string): ConditionReadingValue => ({ state: 'unknown', detail });

/** Reads whether the connection is metered on `platform`; never throws. */
export async function readMetered(platform: NodeJS.Platform, run: CommandRunner): Promise<ConditionReadingValue> {
  if (platform === 'darwin') {
    return { state: 'unsupported', detail: 'macOS does not tell programs whether a connection is metered' };
  }
  if (platform !== 'linux' && platform !== 'win32') {
    return { state: 'unsupported', detail: `Cairn cannot read whether a connection is metered on ${platform}` };
  }
  try {
    return platform === 'linux'
      ? parseNmcliDevices(await run('nmcli', NMCLI_ARGS))
      : parseWindowsCost(await run('powershell.exe', WINDOWS_ARGS));
  } catch (err) {
    return unknown(err instanceof Error ? err.message : String(err));
  }
}

/** NetworkManager's device state "activated" (nmcli prints "100 (connected)"). */
const NM_DEVICE_ACTIVATED = 100;

/**
 * Reads nmcli's terse `device show` answer: metered when any connected device is metered (said or
 * guessed: traffic may go over it), not metered when the connected devices that know say not.
 */
export function parseNmcliDevices(output: string): ConditionReadingValue {
  const devices: { state: number; metered: string }[] = [];
  for (const line of output.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const field = line.slice(0, colon);
    const value = line.slice(colon + 1).trim();
    if (field === 'GENERAL.DEVICE') devices.push({ state: -1, metered: 'unknown' });
    const device = devices.at(-1);
    if (!device) continue;
    if (field === 'GENERAL.STATE') device.state = Number.parseInt(value, 10);
    if (field === 'GENERAL.METERED') device.metered = value;
  }
  if (devices.length === 0) return unknown(`nmcli listed no network devices`);
  const connected = devices.filter((d) => d.state === NM_DEVICE_ACTIVATED);
  if (connected.length === 0) return unknown('NetworkManager has no network connection up');
  if (connected.some((d) => /^yes\b/.test(d.metered))) return { state: 'yes', detail: null };
  if (connected.some((d) => /^no\b/.test(d.metered))) return { state: 'no', detail: null };
  return unknown('NetworkManager does not know whether the connection is metered');
}

/**
 * Reads the PowerShell answer: metered for a fixed or variable cost (a data plan), or while roaming
 * or over the plan's limit, as Windows' guidance for background transfers has it.
 */
export function parseWindowsCost(output: string): ConditionReadingValue {
  const answer = output.trim();
  if (answer === 'NoInternet') return unknown('Windows has no internet connection');
  const match = /^(Unrestricted|Fixed|Variable|Unknown) (True|False) (True|False)$/.exec(answer);
  if (!match) return unknown(`PowerShell gave an answer Cairn cannot read: "${answer.slice(0, 80)}"`);
  const [, cost, roaming, overLimit] = match;
  if (cost === 'Fixed' || cost === 'Variable' || roaming === 'True' || overLimit === 'True') {
    return { state: 'yes', detail: null };
  }
  if (cost === 'Unrestricted') return { state: 'no', detail: null };
  return unknown('Windows does not know what this connection costs');
}

/** The real runner: the command in the C locale (untranslated answers), within 15 seconds. */
export const runCommand: CommandRunner = (file, args) =>
  new Promise((resolve, reject) => {
    execFile(
      file,
      [...args],
      {
        timeout: COMMAND_TIMEOUT_MS,
        windowsHide: true,
        encoding: 'utf8',
        maxBuffer: 1024 * 1024,
        env: { ...process.env, LC_ALL: 'C' },
      },
      (err, stdout, stderr) => {
        if (err) reject(new Error(commandFailure(file, err, stderr)));
        else resolve(stdout);
      },
    );
  });

function commandFailure(file: string, err: ExecFileException, stderr: string): string {
  if (err.code === 'ENOENT') return `${file} is not installed`;
  if (err.killed) return `${file} did not answer within ${COMMAND_TIMEOUT_MS / 1000} seconds`;
  const first = stderr.trim().split(/\r?\n/)[0]?.trim();
  return first ? `${file}: ${first}` : `${file} failed: ${err.message}`;
}
