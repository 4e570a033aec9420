/** Types of lint-layers.mjs for the TypeScript test that uses it. */
export function lintLayers(root: string): Promise<{ rule: string; from: string; to: string; comment: string }[]>;
