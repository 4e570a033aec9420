#!/usr/bin/env node
/**
 * `npm run lint:layers`: which part of the source may import which (docs/architecture.md,
 * "Layers"), checked by dependency-cruiser against the rules in .dependency-cruiser.cjs. Prints
 * one line per violation (`rule: from → to`) and exits 1 when there is any; part of `npm test`.
 *
 * Usage: node scripts/lint-layers.mjs [ROOT]   (ROOT: the checkout to check, default this one)
 *
 * dependency-cruiser reads TypeScript with swc here (the TypeScript compiler installed is the
 * native one, which has no compiler API). Its swc reader parses every file as TypeScript without
 * JSX, so .tsx files are given swc's `tsx` option: the one adjustment, made below, before
 * dependency-cruiser loads swc.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const swc = require('@swc/core');
const parseFileSync = swc.parseFileSync.bind(swc);
swc.parseFileSync = (file, options) => parseFileSync(file, { ...options, tsx: String(file).endsWith('.tsx') });

const { cruise } = await import('dependency-cruiser');

const HERE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Checks the checkout at `root` (its src/) against this project's rules; returns the violations.
 * @param {string} root
 * @returns {Promise<{ rule: string, from: string, to: string, comment: string }[]>}
 */
export async function lintLayers(root) {
  const config = require(path.join(HERE, '.dependency-cruiser.cjs'));
  const previous = process.cwd();
  process.chdir(root);
  try {
    const result = await cruise(['src'], {
      ...config.options,
      tsConfig: { fileName: path.join(HERE, 'tsconfig.json') },
      ruleSet: { forbidden: config.forbidden },
      validate: true,
      outputType: 'json',
    });
    const output = typeof result.output === 'string' ? JSON.parse(result.output) : result.output;
    const comments = new Map(config.forbidden.map((rule) => [rule.name, rule.comment ?? '']));
    return output.summary.violations.map((v) => ({
      rule: v.rule.name,
      from: v.from,
      to: v.to,
      comment: comments.get(v.rule.name) ?? '',
    }));
  } finally {
    process.chdir(previous);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(process.argv[2] ?? HERE);
  const violations = await lintLayers(root);
  for (const v of violations) console.log(`${v.rule}: ${v.from} → ${v.to}${v.comment ? ` (${v.comment})` : ''}`);
  console.log(
    violations.length === 0
      ? 'layers: ok'
      : `layers: ${violations.length} violation(s) of the rules in .dependency-cruiser.cjs`,
  );
  process.exit(violations.length === 0 ? 0 : 1);
}
