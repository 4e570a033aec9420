/**
 * The layers of Cairn and the order inside the storage core (docs/architecture.md, "Layers"),
 * checked by dependency-cruiser: `npm run lint:layers` (scripts/lint-layers.mjs), part of `npm test`.
 */
const UI = '^(electron|react|react-dom|zustand)($|/)';
const ENGINE = '^src/engine/';
const ABOVE_APP = '^src/(cli|server|main|preload|renderer)/';

/** The storage core's levels, lowest first: each may import its own and lower levels only. */
const LEVELS = [
  ['errors', 'version', 'util'],
  ['backend'],
  ['crypto', 'chunker'],
  ['format'],
  ['repo'],
  ['browse', 'prune', 'check'],
  ['backup', 'restore', 'erase', 'repair'],
];
const dir = (names) => `^src/engine/(${names.join('|')})([/.]|$)`;
const levelRules = LEVELS.slice(0, -1).map((names, i) => ({
  name: `engine-order-${names[0]}`,
  comment: `the storage core is layered: ${names.join(', ')} must not import the levels above it`,
  severity: 'error',
  from: { path: dir(names), pathNot: '\\.test\\.ts$' },
  to: { path: dir(LEVELS.slice(i + 1).flat()) },
}));

module.exports = {
  forbidden: [
    {
      name: 'engine-not-above',
      comment: 'the storage core knows nothing of the application, the CLI, the server or the desktop',
      severity: 'error',
      from: { path: ENGINE },
      to: { path: `^src/(app|cli|server|main|preload|renderer)/` },
    },
    {
      name: 'core-no-ui',
      comment: 'the engine and the app layer run without Electron, React or UI state',
      severity: 'error',
      from: { path: '^src/(engine|app)/' },
      to: { path: UI },
    },
    {
      name: 'app-not-above',
      comment: 'src/app serves the CLI, the server and the desktop: it imports none of them',
      severity: 'error',
      from: { path: '^src/app/' },
      to: { path: ABOVE_APP },
    },
    {
      name: 'callers-through-app',
      comment: 'the CLI, the server and the desktop reach the storage core only through src/app',
      severity: 'error',
      from: { path: '^src/(cli|server|main|preload)/' },
      to: { path: ENGINE },
    },
    {
      name: 'server-no-electron',
      comment: '`cairn serve` runs without Electron',
      severity: 'error',
      from: { path: '^src/(server|cli)/' },
      to: { path: '^electron($|/)' },
    },
    {
      name: 'renderer-only-contract',
      comment: 'the renderer is a web page: it talks to the engine only through the contract client',
      severity: 'error',
      from: { path: '^src/renderer/' },
      to: { path: '^src/(engine|app|cli|server|main|preload)/' },
    },
    {
      name: 'renderer-no-node',
      comment: 'the renderer runs in a browser: no Node built-ins, no Electron',
      severity: 'error',
      from: { path: '^src/renderer/', pathNot: '\\.test\\.tsx?$' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'renderer-no-electron',
      severity: 'error',
      from: { path: '^src/renderer/' },
      to: { path: '^electron($|/)' },
    },
    {
      name: 'contract-only-zod',
      comment: 'the contract is shared by both sides: it imports only zod and itself',
      severity: 'error',
      from: { path: '^src/contract/', pathNot: '\\.test\\.ts$' },
      to: { pathNot: '^(src/contract/|zod($|/))' },
    },
    {
      name: 'preload-only-contract',
      comment: 'the preload exposes the contract and nothing raw',
      severity: 'error',
      from: { path: '^src/preload/' },
      to: { pathNot: '^(src/preload/|src/contract/|electron($|/))' },
    },
    ...levelRules,
  ],
  options: {
    parser: 'swc',
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|out|node_modules)/' },
  },
};
