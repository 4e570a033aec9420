/**
 * Making FIFOs and device nodes on restore (format version 3 records them as entries, not data).
 * Node has neither mkfifo nor mknod, so the commands of the same names make them: one process per
 * entry, which is fine for how few of them a backup holds. A device node needs root; without it
 * the entry is refused with that reason and the restore goes on.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CairnError } from '../errors.js';
import type { TreeNode } from '../format/tree.js';

const run = promisify(execFile);

/** Major and minor numbers of a device number, as this system's makedev packs them. */
export function splitDeviceNumber(rdev: number): { major: number; minor: number } {
  if (process.platform === 'darwin') return { major: Math.floor(rdev / 2 ** 24) & 0xff, minor: rdev & 0xffffff };
  // glibc's and the Linux kernel's user-space encoding (dev_t of 64 bits).
  const high = Math.floor(rdev / 2 ** 32);
  const low = rdev >>> 0;
  return {
    major: ((low >>> 8) & 0xfff) | ((high & 0xfffff000) >>> 0),
    minor: (low & 0xff) | ((low >>> 12) & 0xfffff00),
  };
}

/** Why a special entry cannot be made here, or undefined when it can. */
export function specialRefusal(node: TreeNode): string | undefined {
  if (process.platform === 'win32') return 'FIFOs and device nodes cannot be made on Windows';
  if (node.type !== 'fifo' && process.getuid?.() !== 0) return 'a device node: only root can make one';
  return undefined;
}

/** Makes the FIFO or device node of `node` at `local` (which must not exist), owner-only at first. */
export async function makeSpecial(local: string, node: TreeNode): Promise<void> {
  const refusal = specialRefusal(node);
  if (refusal) throw new CairnError('io', refusal);
  try {
    if (node.type === 'fifo') await run('mkfifo', ['-m', '600', '--', local]);
    else {
      const { major, minor } = splitDeviceNumber(node.rdev ?? 0);
      const kind = node.type === 'chardev' ? 'c' : 'b';
      await run('mknod', ['-m', '600', '--', local, kind, String(major), String(minor)]);
    }
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw new CairnError(
      'io',
      `cannot make ${node.type === 'fifo' ? 'a FIFO' : 'a device node'}: ${stderr || (err as Error).message}`,
    );
  }
}
