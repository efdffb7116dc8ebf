import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// In development the Vite server proxies the API so the app is same-origin, exactly like production behind
// Vercel's rewrites.
const api = 'http://localhost:8001';

export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', sourcemap: true, assetsDir: 'assets' },
  server: {
    port: 5173,
    proxy: {
      '/api': api,
      '/health': api,
      '/ping': api,
      '/csrf': api,
      '/socket.io': { target: api, ws: true },
    },
  },
});
