/**
 * The ZIP writer against an independent reader (Python's zipfile, which checks every CRC), plus
 * our own reader, CRC-32 test vectors, and refusal of unsafe or duplicate names.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildZip, crc32, readZip } from './zip.js';

describe('zip', () => {
  it('computes CRC-32 (IEEE) test vectors', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(Buffer.alloc(0))).toBe(0);
  });

  it('writes archives that Python zipfile reads and tests intact', () => {
    const big = Buffer.from('line of compressible text\n'.repeat(5000));
    const random = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251));
    const zip = buildZip([
      { name: 'README.txt', data: 'hello, ünïcode\n' },
      { name: 'dir/big.txt', data: big },
      { name: 'dir/sub/random.bin', data: random },
      { name: 'empty.json', data: '' },
    ]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-zip-'));
    try {
      const file = path.join(dir, 'a.zip');
      fs.writeFileSync(file, zip);
      const py = spawnSync(
        'python3',
        [
          '-c',
          'import sys,zipfile,json,hashlib\nz=zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nprint(json.dumps({i.filename:[i.file_size,hashlib.sha256(z.read(i)).hexdigest(),i.compress_type] for i in z.infolist()}))',
          file,
        ],
        { encoding: 'utf8' },
      );
      expect(py.status, py.stderr).toBe(0);
      const listed = JSON.parse(py.stdout) as Record<string, [number, string, number]>;
      const sha = (b: Buffer | string) => crypto.createHash('sha256').update(b).digest('hex');
      expect(listed['README.txt']?.slice(0, 2)).toEqual([
        Buffer.byteLength('hello, ünïcode\n'),
        sha('hello, ünïcode\n'),
      ]);
      expect(listed['dir/big.txt']).toEqual([big.length, sha(big), 8]);
      expect(listed['dir/sub/random.bin']?.slice(0, 2)).toEqual([random.length, sha(random)]);
      expect(listed['empty.json']?.[0]).toBe(0);
      expect(zip.length).toBeLessThan(big.length / 10);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const back = readZip(zip);
    expect(back.get('dir/big.txt')?.equals(big)).toBe(true);
    expect(back.get('README.txt')?.toString()).toBe('hello, ünïcode\n');
  });

  it('refuses unsafe and duplicate names', () => {
    expect(() => buildZip([{ name: '../x', data: '' }])).toThrow(/not a safe name/);
    expect(() => buildZip([{ name: '/etc/x', data: '' }])).toThrow(/not a safe name/);
    expect(() =>
      buildZip([
        { name: 'a', data: '' },
        { name: 'a', data: '' },
      ]),
    ).toThrow(/twice/);
  });
});
