import { defineConfig } from "vite";

// The walletflow binary serves the built files at "/" and "/assets/*" from the same origin
// as the API. `npm run build -- --outDir <dir> --emptyOutDir` (the C++ build) overrides
// outDir on the command line; the default is dist/.
// The dev server (`npm run dev`) proxies the API to a walletflow running locally.
const api = "http://127.0.0.1:18090";

export default defineConfig({
  base: "/",
  build: {
    outDir: "dist",
    assetsDir: "assets",
    sourcemap: false,
    target: "es2020",
    cssCodeSplit: false,
    modulePreload: { polyfill: false },
    rollupOptions: {
      output: {
        entryFileNames: "assets/[name]-[hash].js",
        chunkFileNames: "assets/[name]-[hash].js",
        assetFileNames: "assets/[name]-[hash][extname]",
      },
    },
  },
  server: {
    host: "127.0.0.1",
    proxy: {
      "/api": { target: api, changeOrigin: false },
      "/health": { target: api },
      "/metrics": { target: api },
      "/openapi.json": { target: api },
    },
  },
  preview: {
    proxy: {
      "/api": { target: api },
      "/health": { target: api },
      "/metrics": { target: api },
      "/openapi.json": { target: api },
    },
  },
});
