/** Types of private-cli-build.mjs for the TypeScript tests that use it. */
export function buildPrivateCli(root: string, dir: string): Promise<string>;
