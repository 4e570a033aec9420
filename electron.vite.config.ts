// electron-vite build of the desktop app: main process, preload (CommonJS, as a sandboxed preload
// requires) and the renderer (the same options as vite.renderer.config.ts). Output goes to out/.
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { rendererConfig } from './vite.renderer.config.js';

const root = import.meta.dirname;

export default defineConfig({
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      rollupOptions: {
        input: {
          index: resolve(root, 'src/main/index.ts'),
          // The engine's utility process (EngineProcessClient forks out/main/engine-process.js).
          'engine-process': resolve(root, 'src/main/engine-process.ts'),
          // The engine starts these with new URL('./<name>.ts', import.meta.url) → .js next to the
          // bundle, so they must be emitted as out/main/<name>.js.
          'seal-worker': resolve(root, 'src/engine/backup/seal-worker.ts'),
          'restore-worker': resolve(root, 'src/engine/restore/restore-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      // The sandboxed preload cannot require() packages: bundle zod and the contract into it.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(root, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: rendererConfig(),
});
