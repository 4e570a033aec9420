/**
 * Launch at login is turned on once, when the first repository exists, and never again after
 * the user could have switched it off.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { applyLoginDefault } from '../../src/main/login-default.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('launch at login default', () => {
  it('does nothing without a repository, turns it on once with one, then never again', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-login-'));
    dirs.push(dir);
    const marker = path.join(dir, 'login-item-default.json');
    const enable = vi.fn(async () => undefined);
    expect(await applyLoginDefault(marker, false, enable)).toBe(false);
    expect(enable).not.toHaveBeenCalled();
    expect(await applyLoginDefault(marker, true, enable)).toBe(true);
    expect(enable).toHaveBeenCalledTimes(1);
    expect(fs.existsSync(marker)).toBe(true);
    expect(await applyLoginDefault(marker, true, enable)).toBe(false);
    expect(enable).toHaveBeenCalledTimes(1);
  });

  it('writes no marker when turning it on fails, so the next start tries again', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-login-'));
    dirs.push(dir);
    const marker = path.join(dir, 'login-item-default.json');
    await expect(applyLoginDefault(marker, true, async () => Promise.reject(new Error('denied')))).rejects.toThrow(
      'denied',
    );
    expect(fs.existsSync(marker)).toBe(false);
  });
});
