/**
 * Packaging without building a package: electron-builder.yml is valid by electron-builder's own
 * JSON schema (app-builder-lib/scheme.json) and names only files that exist; the icons in build/
 * are exactly what scripts/make-icons.mjs renders from build/icon.svg, in well-formed ICO and ICNS
 * containers; macOS gets template tray icons (black + alpha); the renderer imports the password
 * dictionaries only dynamically; electron and electron-builder are pinned, and `npm run dist`
 * goes through scripts/dist.mjs.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ICNS_TYPES, ICO_SIZES, LINUX_SIZES, makeIcons, TRAY_STATUSES } from '../scripts/make-icons.mjs';
import { trayIconFor } from '../src/main/tray.js';
import { ROOT } from './support/cli.js';

const at = (...parts: string[]) => path.join(ROOT, ...parts);
/** The parts of electron-builder.yml this test reads (the schema checks the whole). */
interface BuilderConfig {
  directories: { buildResources: string };
  files: string[];
  extraResources: { from: string; filter: string[] }[];
  mac: { icon: string; target: string[] };
  win: { icon: string; target: string[] };
  linux: { icon: string; target: string[] } & Record<string, unknown>;
}
const config = parse(fs.readFileSync(at('electron-builder.yml'), 'utf8')) as BuilderConfig;
const packageJson = JSON.parse(fs.readFileSync(at('package.json'), 'utf8'));

/** Width, height and RGBA pixels of an 8-bit RGBA, non-interlaced PNG (what resvg writes). */
function decodePng(png: Buffer): { width: number; height: number; rgba: Buffer } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  expect([png[24], png[25], png[28]], 'bit depth 8, colour type RGBA, not interlaced').toEqual([8, 6, 0]);
  const idat: Buffer[] = [];
  for (let o = 8; o < png.length; ) {
    const length = png.readUInt32BE(o);
    if (png.toString('latin1', o + 4, o + 8) === 'IDAT') idat.push(png.subarray(o + 8, o + 8 + length));
    o += 12 + length;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * 4;
  const rgba = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const a = x >= 4 ? (rgba[y * stride + x - 4] as number) : 0;
      const b = y > 0 ? (rgba[(y - 1) * stride + x] as number) : 0;
      const c = x >= 4 && y > 0 ? (rgba[(y - 1) * stride + x - 4] as number) : 0;
      const p = a + b - c;
      const paeth =
        Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c)
          ? a
          : Math.abs(p - b) <= Math.abs(p - c)
            ? b
            : c;
      const predictor = [0, a, b, (a + b) >> 1, paeth][filter as number] ?? Number.NaN;
      rgba[y * stride + x] = ((raw[y * (stride + 1) + 1 + x] as number) + predictor) & 0xff;
    }
  }
  return { width, height, rgba };
}

describe('electron-builder.yml', () => {
  const schema = JSON.parse(fs.readFileSync(at('node_modules/app-builder-lib/scheme.json'), 'utf8'));
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

  it("is valid by electron-builder's own schema", () => {
    expect(validate(config), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('and that schema does reject a broken configuration', () => {
    expect(validate({ ...config, linux: { ...config.linux, target: 42 } })).toBe(false);
    expect(validate({ ...config, icons: 'build/icon.png' })).toBe(false);
  });

  it('names only files that exist, and packs what `npm run build` makes', () => {
    expect(fs.statSync(at(config.directories.buildResources)).isDirectory()).toBe(true);
    expect(config.mac.icon).toBe('build/icon.icns');
    expect(config.win.icon).toBe('build/icon.ico');
    for (const icon of [config.mac.icon, config.win.icon]) expect(fs.statSync(at(icon)).isFile(), icon).toBe(true);
    // Linux takes a folder of NxN.png files.
    const linuxIcons = fs.readdirSync(at(config.linux.icon));
    expect(linuxIcons.sort()).toEqual(LINUX_SIZES.map((s) => `${s}x${s}.png`).sort());
    for (const resource of config.extraResources) {
      for (const filter of resource.filter) {
        const pattern = new RegExp(`^${filter.replace(/\./g, '\\.').replace(/\*/g, '.*')}$`);
        const matches = fs.readdirSync(at(resource.from)).filter((f) => pattern.test(f));
        expect(matches.length, `${resource.from}/${filter}`).toBeGreaterThan(0);
      }
    }
    // The app's entry (package.json "main") lies inside what `files` packs.
    const roots = config.files.map((f) => f.replace(/\/\*\*$/, '/'));
    expect(roots.some((r) => packageJson.main.startsWith(r) || packageJson.main === r)).toBe(true);
    expect(config.files).toContain('package.json');
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.mac.target).toEqual(['dmg', 'zip']);
  });
});

describe('icons', () => {
  it('are exactly what scripts/make-icons.mjs renders from build/icon.svg (run `npm run icons`)', async () => {
    const files = await makeIcons();
    for (const [name, bytes] of files) {
      expect(fs.existsSync(at('build', name)), `build/${name} is missing`).toBe(true);
      expect(fs.readFileSync(at('build', name)).equals(bytes), `build/${name} differs from the SVG`).toBe(true);
    }
  });

  it('icon.ico holds one PNG per size, each of its declared size', () => {
    const ico = fs.readFileSync(at('build/icon.ico'));
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2), ico.readUInt16LE(4)]).toEqual([0, 1, ICO_SIZES.length]);
    ICO_SIZES.forEach((size, i) => {
      const entry = 6 + 16 * i;
      expect(ico[entry] === 0 ? 256 : ico[entry]).toBe(size);
      const png = ico.subarray(
        ico.readUInt32LE(entry + 12),
        ico.readUInt32LE(entry + 12) + ico.readUInt32LE(entry + 8),
      );
      const { width, height } = decodePng(png);
      expect([width, height]).toEqual([size, size]);
    });
  });

  it('icon.icns holds one PNG per type, up to 1024 px, with consistent lengths', () => {
    const icns = fs.readFileSync(at('build/icon.icns'));
    expect(icns.toString('latin1', 0, 4)).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    const found: [string, number][] = [];
    for (let o = 8; o < icns.length; ) {
      const length = icns.readUInt32BE(o + 4);
      found.push([icns.toString('latin1', o, o + 4), decodePng(icns.subarray(o + 8, o + length)).width]);
      o += length;
    }
    expect(found).toEqual(ICNS_TYPES);
  });

  it('macOS tray icons are template images: black with alpha, 16 and 32 px, one per status', () => {
    for (const status of TRAY_STATUSES) {
      const name = trayIconFor(status as 'idle', 'darwin');
      expect(name).toBe(`tray-${status}Template.png`);
      for (const [file, size] of [
        [name, 16],
        [name.replace('.png', '@2x.png'), 32],
      ] as const) {
        const { width, height, rgba } = decodePng(fs.readFileSync(at('build', file)));
        expect([width, height]).toEqual([size, size]);
        let opaque = 0;
        for (let i = 0; i < rgba.length; i += 4) {
          if (rgba[i + 3] === 0) continue;
          opaque++;
          expect([rgba[i], rgba[i + 1], rgba[i + 2]], `${file}: a pixel that is not black`).toEqual([0, 0, 0]);
        }
        expect(opaque, `${file} is empty`).toBeGreaterThan(size * 2);
        expect(opaque, `${file} has no transparency`).toBeLessThan(size * size);
      }
    }
    expect(trayIconFor('idle', 'linux')).toBe('tray-idle.png');
  });
});

describe('the renderer bundle', () => {
  it('loads the password dictionaries only by dynamic import, so they stay out of the main bundle', () => {
    const renderer = at('src/renderer');
    const files = fs.readdirSync(renderer, { recursive: true, encoding: 'utf8' }).filter((f) => /\.tsx?$/.test(f));
    for (const file of files) {
      const source = fs.readFileSync(path.join(renderer, file), 'utf8');
      expect(source, file).not.toMatch(/^\s*import\s[^(]*from\s+['"]@zxcvbn-ts\//m);
    }
    expect(fs.readFileSync(path.join(renderer, 'first-run/strength.ts'), 'utf8')).toContain(
      "import('@zxcvbn-ts/core')",
    );
  });
});

describe('package.json', () => {
  it('pins electron and electron-builder exactly, and `npm run dist` goes through scripts/dist.mjs', () => {
    for (const name of ['electron', 'electron-builder']) {
      expect(packageJson.devDependencies[name], name).toMatch(/^\d+\.\d+\.\d+$/);
    }
    expect(packageJson.scripts.dist).toBe('node scripts/dist.mjs');
    expect(packageJson.scripts.icons).toBe('node scripts/make-icons.mjs');
  });
});
