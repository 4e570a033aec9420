#!/usr/bin/env node
/**
 * `npm run icons`: every icon electron-builder and the tray need, rendered from one source,
 * build/icon.svg, with resvg (WebAssembly: no native build). Writes into build/:
 *
 *   icon.png                  512 px (the window icon, and what the tray test checks)
 *   icons/NxN.png             16 … 1024 px, the Linux icon set (AppImage, .deb)
 *   icon.ico                  Windows: PNG images of 16 … 256 px in an ICO container
 *   icon.icns                 macOS: PNG images of 16 … 1024 px in an ICNS container
 *   tray-STATUSTemplate.png   macOS menu-bar template images (black + alpha; macOS tints them),
 *   tray-STATUSTemplate@2x.png  16 and 32 px: the stones of the icon, with a mark per status
 *
 * ICO and ICNS are written here: both are a header and a table around PNG files. The output is
 * committed; run this again after changing the SVG. `--check` writes nothing and exits 1 when a
 * committed file differs from what the SVG gives.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { initWasm, Resvg } from '@resvg/resvg-wasm';

const BUILD = fileURLToPath(new URL('../build/', import.meta.url));
const require = createRequire(import.meta.url);

export const LINUX_SIZES = [16, 32, 48, 64, 128, 256, 512, 1024];
export const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];
/** ICNS element types with PNG payloads, and the pixel size each holds (Apple's icns types). */
export const ICNS_TYPES = [
  ['icp4', 16],
  ['icp5', 32],
  ['icp6', 64],
  ['ic07', 128],
  ['ic08', 256],
  ['ic09', 512],
  ['ic10', 1024],
  ['ic11', 32],
  ['ic12', 64],
  ['ic13', 256],
  ['ic14', 512],
];
export const TRAY_STATUSES = ['idle', 'running', 'paused', 'error'];

/** A status mark drawn in the corner of the tray template, in the stones' coordinates. */
const MARKS = {
  idle: '',
  running: '<circle cx="724" cy="786" r="96"/>',
  paused:
    '<rect x="654" y="696" width="52" height="180" rx="12"/><rect x="742" y="696" width="52" height="180" rx="12"/>',
  error: '<rect x="696" y="676" width="56" height="140" rx="16"/><circle cx="724" cy="860" r="32"/>',
};

/** The tray template for a status: the icon's stones in black, the corner cut out for the mark. */
function traySvg(source, status) {
  const stones = /<g id="stones"[^>]*>([\s\S]*?)<\/g>/.exec(source)?.[1];
  if (!stones) throw new Error('build/icon.svg has no <g id="stones">: the tray template icons are drawn from it');
  const mark = MARKS[status];
  const cut = mark
    ? '<mask id="cut"><rect x="0" y="0" width="1024" height="1024" fill="#fff"/><circle cx="724" cy="786" r="150" fill="#000"/></mask>'
    : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="200 262 624 624">${cut}<g fill="#000"${mark ? ' mask="url(#cut)"' : ''}>${stones}</g><g fill="#000">${mark}</g></svg>`;
}

function render(svg, size) {
  const image = new Resvg(svg, { fitTo: { mode: 'width', value: size } }).render();
  if (image.width !== size || image.height !== size) {
    throw new Error(`rendering gave ${image.width}×${image.height} instead of ${size}×${size}: the SVG must be square`);
  }
  return Buffer.from(image.asPng());
}

/** An ICO file of PNG images (supported since Windows Vista): ICONDIR, one ICONDIRENTRY each, the PNGs. */
export function icoContainer(images) {
  const header = Buffer.alloc(6 + 16 * images.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2); // 1: icon
  header.writeUInt16LE(images.length, 4);
  let offset = header.length;
  images.forEach(({ size, png }, i) => {
    const at = 6 + 16 * i;
    header.writeUInt8(size >= 256 ? 0 : size, at); // 0 means 256
    header.writeUInt8(size >= 256 ? 0 : size, at + 1);
    header.writeUInt8(0, at + 2); // no palette
    header.writeUInt8(0, at + 3);
    header.writeUInt16LE(1, at + 4); // colour planes
    header.writeUInt16LE(32, at + 6); // bits per pixel
    header.writeUInt32LE(png.length, at + 8);
    header.writeUInt32LE(offset, at + 12);
    offset += png.length;
  });
  return Buffer.concat([header, ...images.map((i) => i.png)]);
}

/** An ICNS file: 'icns' and the total length, then per image its type, its length (with this header) and the PNG. */
export function icnsContainer(elements) {
  const parts = elements.map(({ type, png }) => {
    const head = Buffer.alloc(8);
    head.write(type, 0, 'latin1');
    head.writeUInt32BE(png.length + 8, 4);
    return Buffer.concat([head, png]);
  });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'latin1');
  head.writeUInt32BE(8 + parts.reduce((n, p) => n + p.length, 0), 4);
  return Buffer.concat([head, ...parts]);
}

/** Every generated file: path relative to build/ → bytes. */
export async function makeIcons(source = fs.readFileSync(path.join(BUILD, 'icon.svg'), 'utf8')) {
  await initWasm(fs.readFileSync(require.resolve('@resvg/resvg-wasm/index_bg.wasm')));
  const pngs = new Map();
  const png = (size) => {
    if (!pngs.has(size)) pngs.set(size, render(source, size));
    return pngs.get(size);
  };
  const files = new Map();
  files.set('icon.png', png(512));
  for (const size of LINUX_SIZES) files.set(`icons/${size}x${size}.png`, png(size));
  files.set('icon.ico', icoContainer(ICO_SIZES.map((size) => ({ size, png: png(size) }))));
  files.set('icon.icns', icnsContainer(ICNS_TYPES.map(([type, size]) => ({ type, png: png(size) }))));
  for (const status of TRAY_STATUSES) {
    const svg = traySvg(source, status);
    files.set(`tray-${status}Template.png`, render(svg, 16));
    files.set(`tray-${status}Template@2x.png`, render(svg, 32));
  }
  return files;
}

// Run as a script (not when a test imports the module).
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  const files = await makeIcons();
  const stale = [];
  for (const [name, bytes] of files) {
    const file = path.join(BUILD, name);
    const same = fs.existsSync(file) && fs.readFileSync(file).equals(bytes);
    if (same) continue;
    stale.push(name);
    if (!check) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, bytes);
    }
  }
  if (check && stale.length > 0) {
    console.error(`build/ icons differ from build/icon.svg: ${stale.join(', ')}; run npm run icons`);
    process.exit(1);
  }
  console.log(
    check
      ? `build/ icons match build/icon.svg (${files.size} files)`
      : `wrote ${stale.length} of ${files.size} icon files in build/ (the others were unchanged)`,
  );
}
