/**
 * How sizes are worded, the same in the app and the command line: binary units (1 KiB = 1024
 * bytes), as restic, Borg and Kopia print them, so a figure read in the app can be compared with
 * one printed by `cairn stats` or another backup tool without converting. No dependencies: the
 * renderer (a web page) and the CLI both import it.
 */

const UNITS = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/**
 * "0 bytes", "1 byte", "1023 bytes", "1.46 KiB", "600.0 KiB", "3.2 TiB": below 10 of a unit two
 * decimals, below 1000 one, above that none; never "1024.0 KiB" (rounding moves to the next unit).
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return 'an unknown size';
  if (bytes < 1024) return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
  let value = bytes / 1024;
  let unit = 0;
  while (unit < UNITS.length - 1 && roundFor(value) >= 1024) {
    value /= 1024;
    unit++;
  }
  return `${roundFor(value).toFixed(decimals(value))} ${UNITS[unit]}`;
}

/** "12.3 MiB/s". */
export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(Math.round(bytesPerSecond))}/s`;
}

function decimals(value: number): number {
  if (value < 10) return 2;
  if (value < 1000) return 1;
  return 0;
}

function roundFor(value: number): number {
  const scale = 10 ** decimals(value);
  return Math.round(value * scale) / scale;
}
