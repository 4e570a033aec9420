/** Types for scripts/torture/tree.mjs, so the TypeScript test can check the comparison it relies on. */

export type ManifestEntry =
  | { type: 'file'; mode: number; size: number; sha256: string }
  | { type: 'dir'; mode: number }
  | { type: 'symlink'; target: string }
  | { type: 'other' };

export type Manifest = Map<string, ManifestEntry>;

export function manifestOf(root: string): Promise<Manifest>;
export function differences(expected: Manifest, actual: Manifest, mayLack?: string[]): string[];
