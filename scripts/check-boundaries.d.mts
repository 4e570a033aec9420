/** Types for scripts/check-boundaries.mjs, so TypeScript tests can import it. */

/** One broken boundary: `file` is relative to the checked root, with forward slashes; `line` is 1-based. */
export interface BoundaryViolation {
  file: string;
  line: number;
  message: string;
}

/** Checks src/engine, src/contract and src/renderer under `root`. */
export function checkBoundaries(root: string): { filesChecked: number; violations: BoundaryViolation[] };

/** Every module specifier `source` names, with the offset of its opening quote. */
export function findImports(source: string): { specifier: string; offset: number }[];

/** Uses of DOM globals as identifiers in `source`, outside comments, strings and regular expressions. */
export function findDomGlobals(source: string): { name: string; offset: number }[];

/** `source` with comments and literal contents blanked (same length), and the string literals by offset. */
export function lex(source: string): { code: string; strings: Map<number, string> };
