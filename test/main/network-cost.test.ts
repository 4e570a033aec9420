/**
 * The metered-connection probe on the answers its commands give: nmcli's terse `device show` on
 * Linux (one recorded from nmcli 1.42.4 talking to a real NetworkManager, others in the same form
 * with the values nmcli prints for connected and metered devices), Windows PowerShell's connection
 * cost, a failing command, and the real command runner on real processes.
 */
import { describe, expect, it } from 'vitest';
import {
  type CommandRunner,
  NMCLI_ARGS,
  parseNmcliDevices,
  parseWindowsCost,
  readMetered,
  runCommand,
  WINDOWS_ARGS,
} from '../../src/main/network-cost.js';

/** Recorded: `LC_ALL=C nmcli -t -f GENERAL.DEVICE,GENERAL.STATE,GENERAL.METERED device show`, no device managed. */
const NMCLI_UNMANAGED = `GENERAL.DEVICE:eth0
GENERAL.STATE:10 (unmanaged)
GENERAL.METERED:unknown

GENERAL.DEVICE:ifb0
GENERAL.STATE:10 (unmanaged)
GENERAL.METERED:unknown

GENERAL.DEVICE:lo
GENERAL.STATE:10 (unmanaged)
GENERAL.METERED:unknown
`;

/** A laptop on Wi-Fi with a phone tethered over USB; loopback connected externally (NetworkManager ≥ 1.42). */
const nmcli = (wifi: string, phone: { state: string; metered: string }) => `GENERAL.DEVICE:wlp2s0
GENERAL.STATE:100 (connected)
GENERAL.METERED:${wifi}

GENERAL.DEVICE:enp0s20u2
GENERAL.STATE:${phone.state}
GENERAL.METERED:${phone.metered}

GENERAL.DEVICE:lo
GENERAL.STATE:100 (connected (externally))
GENERAL.METERED:unknown
`;
const PHONE_OFF = { state: '30 (disconnected)', metered: 'unknown' };

describe('nmcli answers', () => {
  it('is not metered on a connected Wi-Fi NetworkManager guesses unmetered', () => {
    expect(parseNmcliDevices(nmcli('no (guessed)', PHONE_OFF))).toEqual({ state: 'no', detail: null });
    expect(parseNmcliDevices(nmcli('no', PHONE_OFF))).toEqual({ state: 'no', detail: null });
  });

  it('is metered when a connected device is, said or guessed', () => {
    expect(parseNmcliDevices(nmcli('yes', PHONE_OFF))).toEqual({ state: 'yes', detail: null });
    const tethered = { state: '100 (connected)', metered: 'yes (guessed)' };
    expect(parseNmcliDevices(nmcli('no (guessed)', tethered))).toEqual({ state: 'yes', detail: null });
  });

  it('ignores a metered device that is not connected', () => {
    const phone = { state: '30 (disconnected)', metered: 'yes' };
    expect(parseNmcliDevices(nmcli('no', phone))).toEqual({ state: 'no', detail: null });
  });

  it('is unknown when no connected device knows, or nothing is connected', () => {
    expect(parseNmcliDevices(nmcli('unknown', PHONE_OFF))).toEqual({
      state: 'unknown',
      detail: 'NetworkManager does not know whether the connection is metered',
    });
    expect(parseNmcliDevices(NMCLI_UNMANAGED)).toEqual({
      state: 'unknown',
      detail: 'NetworkManager has no network connection up',
    });
    expect(parseNmcliDevices('')).toEqual({ state: 'unknown', detail: 'nmcli listed no network devices' });
  });

  it('asks nmcli for exactly the three fields it reads', async () => {
    const asked: Array<[string, readonly string[]]> = [];
    const run: CommandRunner = async (file, args) => {
      asked.push([file, args]);
      return nmcli('yes', PHONE_OFF);
    };
    expect(await readMetered('linux', run)).toEqual({ state: 'yes', detail: null });
    expect(asked).toEqual([['nmcli', NMCLI_ARGS]]);
    expect(NMCLI_ARGS.join(' ')).toBe('-t -f GENERAL.DEVICE,GENERAL.STATE,GENERAL.METERED device show');
  });
});

describe('Windows PowerShell answers', () => {
  it('reads the cost type, roaming and over-the-limit flags', () => {
    expect(parseWindowsCost('Unrestricted False False\r\n')).toEqual({ state: 'no', detail: null });
    expect(parseWindowsCost('Fixed False False\r\n')).toEqual({ state: 'yes', detail: null });
    expect(parseWindowsCost('Variable False False')).toEqual({ state: 'yes', detail: null });
    expect(parseWindowsCost('Unrestricted True False')).toEqual({ state: 'yes', detail: null });
    expect(parseWindowsCost('Unrestricted False True')).toEqual({ state: 'yes', detail: null });
    expect(parseWindowsCost('Unknown False False')).toEqual({
      state: 'unknown',
      detail: 'Windows does not know what this connection costs',
    });
    expect(parseWindowsCost('NoInternet\r\n')).toEqual({
      state: 'unknown',
      detail: 'Windows has no internet connection',
    });
  });

  it('says what it could not read', () => {
    const reading = parseWindowsCost('Unable to find type [Windows.Networking.Connectivity.NetworkInformation].');
    expect(reading.state).toBe('unknown');
    expect(reading.detail).toMatch(/^PowerShell gave an answer Cairn cannot read: "Unable to find type/);
  });

  it('runs Windows PowerShell with the script and no profile', async () => {
    const asked: Array<[string, readonly string[]]> = [];
    const run: CommandRunner = async (file, args) => {
      asked.push([file, args]);
      return 'Fixed False False\r\n';
    };
    expect(await readMetered('win32', run)).toEqual({ state: 'yes', detail: null });
    expect(asked).toEqual([['powershell.exe', WINDOWS_ARGS]]);
    expect(WINDOWS_ARGS.slice(0, 3)).toEqual(['-NoProfile', '-NonInteractive', '-Command']);
    expect(WINDOWS_ARGS[3]).toContain('::GetInternetConnectionProfile()');
    expect(WINDOWS_ARGS[3]).toContain('$c.NetworkCostType) $($c.Roaming) $($c.OverDataLimit)');
  });
});

describe('systems and failures', () => {
  const never: CommandRunner = async () => {
    throw new Error('no command may run here');
  };

  it('says macOS does not report it, and runs nothing', async () => {
    expect(await readMetered('darwin', never)).toEqual({
      state: 'unsupported',
      detail: 'macOS does not tell programs whether a connection is metered',
    });
    expect((await readMetered('freebsd', never)).state).toBe('unsupported');
  });

  it('turns a failing command into "unknown" with its reason', async () => {
    const failing: CommandRunner = async () => {
      throw new Error('nmcli: Error: NetworkManager is not running.');
    };
    expect(await readMetered('linux', failing)).toEqual({
      state: 'unknown',
      detail: 'nmcli: Error: NetworkManager is not running.',
    });
  });
});

describe('the real command runner', () => {
  it('returns what the command printed', async () => {
    expect(await runCommand(process.execPath, ['-e', 'process.stdout.write("Fixed False False")'])).toBe(
      'Fixed False False',
    );
  });

  it('runs the command in the C locale, so answers are not translated', async () => {
    expect(await runCommand(process.execPath, ['-e', 'process.stdout.write(process.env.LC_ALL)'])).toBe('C');
  });

  it('names a command that is not installed', async () => {
    await expect(runCommand('cairn-no-such-command', [])).rejects.toThrow('cairn-no-such-command is not installed');
  });

  it('gives the first line a failing command wrote', async () => {
    const script = 'process.stderr.write("Error: NetworkManager is not running.\\nmore\\n"); process.exit(8)';
    await expect(runCommand(process.execPath, ['-e', script])).rejects.toThrow(
      `${process.execPath}: Error: NetworkManager is not running.`,
    );
  });
});
