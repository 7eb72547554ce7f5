// The page's build: React and Polaris bundled into dist/web with hashed names, relative to the
// document (the page may be served under any public path).
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'web',
  base: './',
  plugins: [react()],
  // Workspace libs from their sources (the platform's pure rules: segments, discount line).
  resolve: { conditions: ['development', 'module', 'browser', 'default'] },
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    sourcemap: true,
    reportCompressedSize: true,
  },
});
