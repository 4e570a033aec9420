#!/usr/bin/env node
/**
 * Architecture boundaries: which parts of the source may depend on which.
 *
 * - src/engine (the storage core) runs in the CLI, the server and Electron's main process alike: it
 *   must not import Electron, React, React DOM or zustand, must not reach into src/app, src/main,
 *   src/preload, src/renderer, src/server or src/cli, and must not touch DOM globals (window, ...).
 *   It reads the wall clock only through the `Clock` its operations take (src/engine/util/clock.ts):
 *   no `Date.now` and no argument-less `new Date()` anywhere else in its shipped files.
 * - src/app (the use cases and the app's state) has the same rules, except that it builds on
 *   src/engine.
 * - src/contract is shared by the engine side and the renderer: it may import only zod and other
 *   contract modules.
 * - src/renderer is a web page: it talks to the engine only through the contract client, so it must
 *   not import src/engine (nor the Node-side src/main, src/server, src/cli), Node built-ins or Electron.
 *
 * Test files (`*.test.*`, `*.spec.*`) never ship, so the two browser-only rules (contract: only zod;
 * renderer: no Node built-ins) and the engine's clock rule do not apply to them; every other rule does.
 *
 * Comments, string contents and regular expressions are blanked out by a small tokenizer before the
 * DOM-global and clock searches, so the word `window` in a comment or a message is not a finding.
 *
 * Usage: node scripts/check-boundaries.mjs [repo-root]   (exit 1 and one `file:line: reason` per finding)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];
const UI_PACKAGES = new Set(['electron', 'react', 'react-dom', 'zustand']);
const DOM_GLOBALS = [
  'window',
  'document',
  'navigator',
  'localStorage',
  'sessionStorage',
  'HTMLElement',
  'DOMParser',
  'requestAnimationFrame',
];
const NODE_BUILTINS = new Set(builtinModules.filter((name) => !name.startsWith('_')));
const APP_FORBIDDEN_DIRS = ['src/main', 'src/preload', 'src/renderer', 'src/server', 'src/cli'];
const ENGINE_FORBIDDEN_DIRS = ['src/app', ...APP_FORBIDDEN_DIRS];
const CONTRACT_FORBIDDEN_DIRS = [
  'src/engine',
  'src/app',
  'src/main',
  'src/preload',
  'src/renderer',
  'src/server',
  'src/cli',
];
const RENDERER_FORBIDDEN_DIRS = ['src/engine', 'src/app', 'src/main', 'src/server', 'src/cli'];
/** The one engine module that reads the system clock. */
const ENGINE_CLOCK_MODULE = 'src/engine/util/clock.ts';
/**
 * Engine folders not yet on the Clock (issue 21: the repository's split moves `Repository.init`'s
 * `created` and the locks onto util/clock.ts). Remove the entry once that is done.
 */

/** Keywords after which a `/` starts a regular expression rather than a division. */
const REGEX_AFTER_WORDS = new Set([
  'return',
  'typeof',
  'instanceof',
  'in',
  'of',
  'new',
  'delete',
  'void',
  'throw',
  'case',
  'do',
  'else',
  'yield',
  'await',
  'export',
  'default',
]);

const isIdentChar = (ch) => /[\w$]/.test(ch);

/**
 * Splits source text into code and literals. Returns `code`, the source with comments, string and
 * template contents and regular expressions replaced by spaces (same length, newlines kept, so offsets
 * and line numbers still match), and `strings`, a map from the offset of each string's opening quote
 * to its value (plain strings and templates without substitutions). Good enough for TypeScript and
 * JSX: a quote left open by JSX text ends at the end of its line.
 */
export function lex(source) {
  const out = source.split('');
  const strings = new Map();
  const blank = (from, to) => {
    for (let i = from; i < to; i++) if (out[i] !== '\n') out[i] = ' ';
  };
  const n = source.length;
  /** One entry per open `{`: true when it opened a `${` substitution inside a template. */
  const braces = [];
  let lastChar = '';
  let lastWord = '';
  let i = 0;

  if (source.startsWith('#!')) {
    const end = source.indexOf('\n');
    i = end === -1 ? n : end;
    blank(0, i);
  }

  /** Scans template text from `start` (just after a backtick or a closing `}` of a substitution). */
  const scanTemplate = (start, quoteAt) => {
    let j = start;
    while (j < n) {
      const ch = source[j];
      if (ch === '\\') {
        j += 2;
      } else if (ch === '`') {
        blank(start, j);
        if (quoteAt !== -1) strings.set(quoteAt, unescapeLiteral(source.slice(start, j)));
        return { next: j + 1, inSubstitution: false };
      } else if (ch === '$' && source[j + 1] === '{') {
        blank(start, j);
        return { next: j + 2, inSubstitution: true };
      } else {
        j++;
      }
    }
    blank(start, n);
    return { next: n, inSubstitution: false };
  };

  const enterTemplate = (start, quoteAt) => {
    const { next, inSubstitution } = scanTemplate(start, quoteAt);
    if (inSubstitution) braces.push(true);
    i = next;
    lastChar = inSubstitution ? '{' : '`';
    lastWord = '';
  };

  while (i < n) {
    const ch = source[i];
    const next = source[i + 1];
    if (ch === '/' && next === '/') {
      const end = source.indexOf('\n', i);
      const stop = end === -1 ? n : end;
      blank(i, stop);
      i = stop;
    } else if (ch === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end === -1 ? n : end + 2;
      blank(i, stop);
      i = stop;
    } else if (ch === '"' || ch === "'") {
      let j = i + 1;
      while (j < n && source[j] !== ch && source[j] !== '\n') j += source[j] === '\\' ? 2 : 1;
      const end = Math.min(j, n);
      strings.set(i, unescapeLiteral(source.slice(i + 1, end)));
      blank(i + 1, end);
      i = source[end] === ch ? end + 1 : end;
      lastChar = ch;
      lastWord = '';
    } else if (ch === '`') {
      enterTemplate(i + 1, i);
    } else if (ch === '/' && regexAllowed(lastChar, lastWord)) {
      let j = i + 1;
      let inClass = false;
      while (j < n && source[j] !== '\n') {
        const c = source[j];
        if (c === '\\') j++;
        else if (c === '[') inClass = true;
        else if (c === ']') inClass = false;
        else if (c === '/' && !inClass) break;
        j++;
      }
      blank(i + 1, Math.min(j, n));
      i = j;
      if (source[j] === '/') {
        i = j + 1;
        while (i < n && isIdentChar(source[i])) i++;
      }
      lastChar = ')'; // a regular expression ends an expression: a `/` after it divides
      lastWord = '';
    } else if (ch === '{') {
      braces.push(false);
      lastChar = ch;
      lastWord = '';
      i++;
    } else if (ch === '}') {
      if (braces.pop() === true) {
        enterTemplate(i + 1, -1);
      } else {
        lastChar = ch;
        lastWord = '';
        i++;
      }
    } else if (isIdentChar(ch)) {
      let j = i;
      while (j < n && isIdentChar(source[j])) j++;
      lastWord = source.slice(i, j);
      lastChar = source[j - 1];
      i = j;
    } else {
      if (!/\s/.test(ch)) {
        lastChar = ch;
        lastWord = '';
      }
      i++;
    }
  }
  return { code: out.join(''), strings };
}

function regexAllowed(lastChar, lastWord) {
  if (lastWord) return REGEX_AFTER_WORDS.has(lastWord);
  if (lastChar === '') return true;
  return !/[\w$)\]}'"`]/.test(lastChar);
}

function unescapeLiteral(raw) {
  return raw.replace(/\\(.)/g, '$1');
}

/** Every module specifier a file names (static, re-export, side-effect, dynamic import, require). */
export function findImports(source) {
  const { code, strings } = lex(source);
  const patterns = [
    /(?<![\w$.])from\s*(?=['"])/g,
    /(?<![\w$.])import\s*(?=['"])/g,
    /(?<![\w$.])(?:import|require)\s*\(\s*(?=['"`])/g,
  ];
  const found = [];
  for (const pattern of patterns) {
    for (const match of code.matchAll(pattern)) {
      const at = match.index + match[0].length;
      const specifier = strings.get(at);
      if (specifier !== undefined) found.push({ specifier, offset: at });
    }
  }
  return found.sort((a, b) => a.offset - b.offset);
}

/** Uses of DOM globals as identifiers: not property accesses (`x.window`) nor property names (`{ window: 1 }`). */
export function findDomGlobals(source) {
  const { code } = lex(source);
  const pattern = new RegExp(`(?<![\\w$#])(?:${DOM_GLOBALS.join('|')})(?![\\w$])`, 'g');
  const found = [];
  for (const match of code.matchAll(pattern)) {
    const before = code.slice(0, match.index).trimEnd();
    const prev = before.at(-1) ?? '';
    if (prev === '.' && !before.endsWith('...')) continue;
    const after = code.slice(match.index + match[0].length);
    const isKey = /^\s*\??\s*:/.test(after) && (prev === '' || prev === '{' || prev === ',' || prev === ';');
    if (isKey) continue;
    found.push({ name: match[0], offset: match.index });
  }
  return found;
}

/**
 * Reads of the system clock: `Date.now` (called or passed on) and `new Date()` or `new Date`
 * without arguments. `new Date(ms)`, `Date.parse` and `performance.now()` are not clock reads.
 */
export function findClockReads(source) {
  const { code } = lex(source);
  const patterns = [
    /(?<![\w$.#])Date\s*\??\.\s*now(?![\w$])/g,
    // `new Date` not followed by an argument list with something in it
    /(?<![\w$.#])new\s+Date(?![\w$])(?!\s*\(\s*[^\s)])/g,
  ];
  const found = [];
  for (const pattern of patterns) {
    for (const match of code.matchAll(pattern)) {
      found.push({ text: match[0].replace(/\s+/g, ' '), offset: match.index });
    }
  }
  return found.sort((a, b) => a.offset - b.offset);
}

function lineOf(source, offset) {
  let line = 1;
  for (let i = 0; i < offset; i++) if (source.charCodeAt(i) === 10) line++;
  return line;
}

function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function isNodeBuiltin(specifier) {
  return specifier.startsWith('node:') || NODE_BUILTINS.has(packageName(specifier));
}

const isRelative = (specifier) => /^\.\.?(\/|$)/.test(specifier);

/** The repo-relative directory (one of `dirs`) a relative import from `file` lands in, or null. */
function landsIn(root, file, specifier, dirs) {
  if (!isRelative(specifier) && !path.isAbsolute(specifier)) return null;
  const target = path
    .relative(root, path.resolve(path.dirname(file), specifier))
    .split(path.sep)
    .join('/');
  return dirs.find((dir) => target === dir || target.startsWith(`${dir}/`)) ?? null;
}

function isTestFile(file) {
  return /\.(test|spec)\.[cm]?[jt]sx?$/.test(file);
}

function listSources(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if (error.code === 'ENOENT') return [];
    throw error;
  }
  const files = [];
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules') files.push(...listSources(full));
    else if (entry.isFile() && SOURCE_EXTENSIONS.some((ext) => entry.name.endsWith(ext))) files.push(full);
  }
  return files.sort();
}

/** The rules of src/engine and src/app: no UI packages, no DOM, nothing of the layers above. */
function coreChecker(name, forbiddenDirs) {
  return (root, file, source, report) => {
    for (const { specifier, offset } of findImports(source)) {
      if (UI_PACKAGES.has(packageName(specifier))) {
        report(offset, `imports '${specifier}': ${name} must not depend on Electron, React or zustand`);
        continue;
      }
      const dir = landsIn(root, file, specifier, forbiddenDirs);
      if (dir) report(offset, `imports '${specifier}' from ${dir}: ${name} must not reach into ${dir}`);
    }
    for (const { name: global, offset } of findDomGlobals(source)) {
      report(offset, `uses the DOM global '${global}': ${name} runs without a DOM (rename it if it is a local)`);
    }
  };
}

const checkEngineCore = coreChecker('the engine', ENGINE_FORBIDDEN_DIRS);

function checkEngineFile(root, file, source, report) {
  checkEngineCore(root, file, source, report);
  const relative = path.relative(root, file).split(path.sep).join('/');
  if (relative === ENGINE_CLOCK_MODULE || isTestFile(file)) return;
  for (const { text, offset } of findClockReads(source)) {
    report(
      offset,
      `reads the system clock ('${text}'): the engine reads wall-clock time only through the Clock its operations take (${ENGINE_CLOCK_MODULE})`,
    );
  }
}

const checkAppFile = coreChecker('the app layer', APP_FORBIDDEN_DIRS);

function checkContractFile(root, file, source, report) {
  const test = isTestFile(file);
  for (const { specifier, offset } of findImports(source)) {
    const dir = landsIn(root, file, specifier, CONTRACT_FORBIDDEN_DIRS);
    if (dir) {
      report(offset, `imports '${specifier}' from ${dir}: the contract is shared by both sides and must not`);
    } else if (packageName(specifier) === 'electron') {
      report(offset, `imports '${specifier}': the contract is shared by both sides and must not use Electron`);
    } else if (!test && isRelative(specifier) && !landsIn(root, file, specifier, ['src/contract'])) {
      report(offset, `imports '${specifier}': src/contract may import only zod and other contract modules`);
    } else if (!test && !isRelative(specifier) && packageName(specifier) !== 'zod') {
      report(offset, `imports '${specifier}': src/contract may import only zod and other contract modules`);
    }
  }
}

function checkRendererFile(root, file, source, report) {
  const test = isTestFile(file);
  for (const { specifier, offset } of findImports(source)) {
    const dir = landsIn(root, file, specifier, RENDERER_FORBIDDEN_DIRS);
    if (dir) {
      report(
        offset,
        `imports '${specifier}' from ${dir}: the renderer talks to the engine only through the contract client`,
      );
    } else if (packageName(specifier) === 'electron') {
      report(offset, `imports '${specifier}': the renderer must not use Electron; go through the contract client`);
    } else if (!test && !isRelative(specifier) && isNodeBuiltin(specifier)) {
      report(offset, `imports '${specifier}': the renderer runs in a browser and has no Node built-ins`);
    }
  }
}

const AREAS = [
  { dir: 'src/engine', check: checkEngineFile },
  { dir: 'src/app', check: checkAppFile },
  { dir: 'src/contract', check: checkContractFile },
  { dir: 'src/renderer', check: checkRendererFile },
];

/**
 * Checks the boundaries of the repository at `root`.
 * @param {string} root repository root (the directory holding `src`)
 * @returns {{ filesChecked: number, violations: { file: string, line: number, message: string }[] }}
 *   `file` is relative to `root`, with forward slashes.
 */
export function checkBoundaries(root) {
  const absoluteRoot = path.resolve(root);
  const violations = [];
  let filesChecked = 0;
  for (const { dir, check } of AREAS) {
    for (const file of listSources(path.join(absoluteRoot, dir))) {
      filesChecked++;
      const source = readFileSync(file, 'utf8');
      const relative = path.relative(absoluteRoot, file).split(path.sep).join('/');
      check(absoluteRoot, file, source, (offset, message) => {
        violations.push({ file: relative, line: lineOf(source, offset), message });
      });
    }
  }
  return { filesChecked, violations };
}

function main() {
  const root = process.argv[2] ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const { filesChecked, violations } = checkBoundaries(root);
  if (violations.length === 0) {
    console.log(`boundaries: ${filesChecked} files checked, ok`);
    return 0;
  }
  for (const { file, line, message } of violations) console.error(`${file}:${line}: ${message}`);
  const files = new Set(violations.map((v) => v.file)).size;
  console.error(
    `boundaries: ${violations.length} violation${violations.length === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'} (${filesChecked} files checked)`,
  );
  return 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = main();
}
