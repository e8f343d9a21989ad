/// <reference types="vitest/config" />
import { fileURLToPath, URL } from "node:url";
import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig, type Rolldown } from "vite";

// The backend runs separately during development; Vite forwards /api to it so the browser
// sees one origin and the SameSite=Strict refresh cookie works exactly as in production.
const backend = process.env.POLYCHAT_DEV_BACKEND ?? "http://127.0.0.1:8080";

type ModuleInfoOf = (id: string) => Rolldown.ModuleInfo | null;

/** Packages that change only when we upgrade React: their own long-cached chunk. */
const REACT = /[\\/]node_modules[\\/](react|react-dom|scheduler)[\\/]/;

/** Whether the entry reaches a module through static imports only (so it is in the first load). */
function makeStaticReach(): (id: string, info: ModuleInfoOf) => boolean {
  const memo = new Map<string, boolean>();
  const reach = (id: string, info: ModuleInfoOf, path: Set<string>): boolean => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    const mod = info(id);
    if (!mod) return false;
    if (mod.isEntry) return true;
    path.add(id);
    const found = mod.importers.some((importer) => !path.has(importer) && reach(importer, info, path));
    path.delete(id);
    // Memoize positives only: a negative found while a cycle was cut short may be wrong.
    if (found) memo.set(id, true);
    return found;
  };
  return (id, info) => reach(id, info, new Set());
}
const staticallyReached = makeStaticReach();

/**
 * Vendor code the chat screen needs goes to two chunks that survive app deploys in the
 * browser cache: `react` and `vendor`. Libraries only lazy code uses (KaTeX, highlight.js)
 * stay in their lazy chunks, which is why `vendor` takes only what the entry reaches
 * statically. Measured by `npm run bundle-size` (see docs/performance.md).
 */
function manualChunks(id: string, meta: { getModuleInfo: ModuleInfoOf }): string | null {
  if (!id.includes("node_modules")) return null;
  if (REACT.test(id)) return "react";
  return staticallyReached(id, meta.getModuleInfo) ? "vendor" : null;
}

export default defineConfig({
  plugins: [react(), tailwindcss()],
  resolve: {
    alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) },
  },
  server: {
    proxy: {
      "/api": { target: backend, changeOrigin: false },
      "/healthz": backend,
    },
  },
  build: {
    outDir: "dist",
    sourcemap: false,
    // dist/.vite/manifest.json: the bundle-size script reads which chunks the entry loads.
    manifest: true,
    // The vendor chunk (~340 kB: state, router, i18n, Radix, toasts) is the largest first-load
    // chunk; warn if any chunk outgrows the chat screen's whole first-load budget.
    chunkSizeWarningLimit: 550,
    rolldownOptions: { output: { manualChunks } },
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    css: false,
    restoreMocks: true,
    coverage: {
      provider: "v8",
      include: ["src/**/*.{ts,tsx}"],
      exclude: ["src/**/*.test.{ts,tsx}", "src/test/**", "src/main.tsx"],
      reporter: ["text-summary"],
    },
  },
});
