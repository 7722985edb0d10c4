import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// `vite build web` writes web/dist, which `hoist server` serves at /.
// `vite web` (npm run dev:web) serves the UI with hot reload and sends API
// calls to a Hoist server on :8080.
export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/hooks': 'http://127.0.0.1:8080',
    },
  },
});
