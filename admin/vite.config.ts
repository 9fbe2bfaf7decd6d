import { defineConfig } from 'vite';

// The caseworkers' UI, served by the Nest app at /admin (same origin as the API, so the session
// cookie and the CSRF check work unchanged). `npm run build:admin` writes admin/dist.
export default defineConfig({
  root: import.meta.dirname,
  base: '/admin/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2_000,
    rollupOptions: {
      // MUI's modules start with "use client" (for React Server Components); meaningless in a
      // client-only bundle.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
      output: {
        // The framework changes less often than our screens: a separate, long-cached chunk.
        manualChunks: (id: string) => (id.includes('node_modules') ? 'vendor' : undefined),
      },
    },
  },
  server: {
    // `npm run dev:admin`: the UI with hot reload, the API from a running `npm start`.
    proxy: { '/api': 'http://127.0.0.1:3000' },
  },
});
