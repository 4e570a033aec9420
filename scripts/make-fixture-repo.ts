/**
 * Writes a committed fixture repository once: test/fixtures/repo-v1 (format version 1, scrypt key
 * slot) or test/fixtures/repo-v2 (format version 2, Argon2id key slot). Never run it to "update" a
 * fixture: the point of a fixture is that every later Cairn must read the bytes committed here.
 * Run: npx tsx scripts/make-fixture-repo.ts 1|2
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalBackend } from '../src/engine/backend/local.js';
import { backup } from '../src/engine/backup/archiver.js';
import { Repository } from '../src/engine/repo/repository.js';

const version = process.argv[2];
if (version !== '1' && version !== '2') throw new Error('usage: npx tsx scripts/make-fixture-repo.ts 1|2');
const out = path.resolve(`test/fixtures/repo-v${version}`);
const repoDir = path.join(out, 'repository');
if (fs.existsSync(repoDir)) throw new Error(`${repoDir} exists: the fixture is committed and must not be regenerated`);
const src = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-fixture-'));
const root = path.join(src, 'fixture');
fs.mkdirSync(path.join(root, 'docs/notes'), { recursive: true });
fs.mkdirSync(path.join(root, 'empty-folder'));
fs.writeFileSync(path.join(root, 'docs/readme.txt'), `Cairn fixture repository, format version ${version}.\n`);
fs.writeFileSync(path.join(root, 'docs/notes/ünïcødé name.md'), '# notes\n'.repeat(200));
fs.writeFileSync(path.join(root, 'empty.txt'), '');
let seed = 1;
const big = Buffer.alloc(1536 * 1024);
for (let i = 0; i < big.length; i++) {
  seed = (seed * 1103515245 + 12345) >>> 0;
  big[i] = seed >>> 24;
}
fs.writeFileSync(path.join(root, 'large.bin'), big);
fs.symlinkSync('docs/readme.txt', path.join(root, 'link-to-readme'));
fs.chmodSync(path.join(root, 'docs/readme.txt'), 0o640);
const password = `cairn-fixture-v${version}`;
const repo = await Repository.init(new LocalBackend(repoDir), password, {
  // Cheap costs, so the tests that open the fixture stay fast.
  kdf: version === '1' ? { name: 'scrypt', N: 1024, r: 8, p: 1 } : { name: 'argon2id', m: 1024, t: 2, p: 2 },
  chunker: { minSize: 64 * 1024, avgSize: 256 * 1024, maxSize: 1024 * 1024 },
});
const first = await backup(repo, {
  paths: [root],
  hostname: 'fixture-host',
  tags: ['first'],
  time: new Date('2026-11-26T12:00:00Z'),
});
fs.appendFileSync(path.join(root, 'docs/readme.txt'), 'Second recovery point.\n');
const second = await backup(repo, {
  paths: [root],
  hostname: 'fixture-host',
  tags: ['second'],
  time: new Date('2026-11-26T13:00:00Z'),
});
const manifest: Record<string, { type: string; sha256?: string; size?: number; target?: string; mode: number }> = {};
const walk = (dir: string, rel: string) => {
  for (const name of fs.readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    const r = `${rel}/${name}`;
    const st = fs.lstatSync(p);
    if (st.isDirectory()) {
      manifest[r] = { type: 'dir', mode: st.mode & 0o7777 };
      walk(p, r);
    } else if (st.isSymbolicLink())
      manifest[r] = { type: 'symlink', target: fs.readlinkSync(p), mode: st.mode & 0o7777 };
    else {
      const data = fs.readFileSync(p);
      manifest[r] = {
        type: 'file',
        size: data.length,
        sha256: createHash('sha256').update(data).digest('hex'),
        mode: st.mode & 0o7777,
      };
    }
  }
};
walk(root, '');
fs.writeFileSync(
  path.join(out, 'expected.json'),
  `${JSON.stringify({ password, sourcePath: root, snapshots: [first.snapshot.id, second.snapshot.id], latest: manifest }, null, 2)}\n`,
);
fs.rmSync(src, { recursive: true, force: true });
console.log(`fixture written: ${first.snapshot.id.slice(0, 8)}, ${second.snapshot.id.slice(0, 8)}`);
