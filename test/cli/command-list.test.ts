/**
 * The lazily loaded command list: every entry loads the command of its name, and the summary
 * `cairn help` prints without loading it is the command's own.
 */
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/command-list.js';

describe('cairn command list', () => {
  it('has one entry per command, each loading a command of that name with the same summary', async () => {
    expect(new Set(COMMANDS.map((c) => c.name)).size).toBe(COMMANDS.length);
    for (const entry of COMMANDS) {
      const command = await entry.load();
      expect(command.name).toBe(entry.name);
      expect(command.summary, entry.name).toBe(entry.summary);
    }
  });
});
