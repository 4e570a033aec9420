// The renderer's Vite build (React UI → out/renderer), shared by electron.vite.config.ts and used
// alone by `npx vite build --config vite.renderer.config.ts` for `cairn serve` (no Electron needed).
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig, type UserConfig } from 'vite';

const root = import.meta.dirname;

/** The renderer options both builds use: root src/renderer, relative asset paths, output out/renderer. */
export function rendererConfig(): UserConfig {
  return {
    root: resolve(root, 'src/renderer'),
    base: './',
    plugins: [react()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      emptyOutDir: true,
      // electron-vite leaves bundles unminified by default; the renderer is shipped to browsers too.
      minify: true,
      rollupOptions: { input: resolve(root, 'src/renderer/index.html') },
    },
  };
}

export default defineConfig(rendererConfig());
