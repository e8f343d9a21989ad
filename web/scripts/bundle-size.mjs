#!/usr/bin/env node
/**
 * Web UI bundle size, in numbers only (no pass/fail): `npm run bundle-size` in web/.
 *
 *   node scripts/bundle-size.mjs              read web/dist (build first if it is missing)
 *   node scripts/bundle-size.mjs --build      run `vite build` first
 *   node scripts/bundle-size.mjs --dist=DIR   read another build (one made with --manifest)
 *   node scripts/bundle-size.mjs --packages   also build with source maps to a temp dir and
 *                                             list the bytes each npm package adds to the
 *                                             first-load chunks (top 15)
 *
 * Prints every emitted JS/CSS chunk (raw and gzip), the entry chunk, and what the chat
 * screen loads before it can paint: index.html's own scripts, the entry and everything it
 * imports statically, with their CSS, read from dist/.vite/manifest.json. Lazy chunks (math,
 * highlighting, settings, sign-in) are listed but not counted in that total.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const web = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = new Set(process.argv.slice(2));

function build(outDir, sourcemap) {
  const vite = join(web, "node_modules", "vite", "bin", "vite.js");
  const extra = sourcemap ? ["--sourcemap"] : [];
  execFileSync(process.execPath, [vite, "build", "--emptyOutDir", "--outDir", outDir, ...extra], {
    cwd: web,
    stdio: ["ignore", "ignore", "inherit"],
  });
}

const kB = (n) => (n / 1000).toFixed(2).padStart(9);

function sizes(file) {
  const data = readFileSync(file);
  return { raw: data.length, gzip: gzipSync(data).length };
}

/** Every file the entry needs before first paint, as paths relative to dist. */
function firstLoad(dist, manifest) {
  const files = new Set();
  const html = readFileSync(join(dist, "index.html"), "utf8");
  // Classic scripts index.html loads itself (the theme is set before CSS to avoid a flash).
  for (const m of html.matchAll(/<script[^>]*\ssrc="\/?([^"]+)"/g)) {
    if (!m[0].includes('type="module"')) files.add(m[1]);
  }
  const visit = (key) => {
    const chunk = manifest[key];
    if (!chunk || files.has(chunk.file)) return;
    files.add(chunk.file);
    for (const css of chunk.css ?? []) files.add(css);
    for (const next of chunk.imports ?? []) visit(next);
  };
  const entries = Object.keys(manifest).filter((k) => manifest[k].isEntry);
  for (const key of entries) visit(key);
  return { files, entries: entries.map((k) => manifest[k].file) };
}

function report(dist) {
  const manifestPath = join(dist, ".vite", "manifest.json");
  if (!existsSync(manifestPath)) throw new Error(`${manifestPath} missing: is build.manifest on?`);
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
  const { files, entries } = firstLoad(dist, manifest);
  const assets = join(dist, "assets");
  const chunks = readdirSync(assets)
    .filter((f) => /\.(js|css)$/.test(f))
    .map((f) => ({ file: `assets/${f}`, ...sizes(join(assets, f)) }))
    .concat([...files].filter((f) => !f.startsWith("assets/")).map((f) => ({ file: f, ...sizes(join(dist, f)) })))
    .sort((a, b) => b.raw - a.raw);

  console.log(`Web UI bundle (${relative(process.cwd(), dist) || "."})\n`);
  console.log(`${"chunk".padEnd(44)} ${"raw kB".padStart(9)} ${"gzip kB".padStart(9)}  first load`);
  for (const c of chunks) {
    const tag = entries.includes(c.file) ? "entry" : files.has(c.file) ? "yes" : "lazy";
    console.log(`${c.file.padEnd(44)} ${kB(c.raw)} ${kB(c.gzip)}  ${tag}`);
  }
  const sum = (list) => list.reduce((t, c) => ({ raw: t.raw + c.raw, gzip: t.gzip + c.gzip }), { raw: 0, gzip: 0 });
  const entry = sum(chunks.filter((c) => entries.includes(c.file)));
  const js = sum(chunks.filter((c) => files.has(c.file) && c.file.endsWith(".js")));
  const css = sum(chunks.filter((c) => files.has(c.file) && c.file.endsWith(".css")));
  const all = sum(chunks.filter((c) => c.file.endsWith(".js")));
  console.log("");
  console.log(`${"entry chunk".padEnd(44)} ${kB(entry.raw)} ${kB(entry.gzip)}`);
  console.log(`${"chat screen, JS (entry + static imports)".padEnd(44)} ${kB(js.raw)} ${kB(js.gzip)}`);
  console.log(`${"chat screen, CSS".padEnd(44)} ${kB(css.raw)} ${kB(css.gzip)}`);
  console.log(`${"all JS, lazy included".padEnd(44)} ${kB(all.raw)} ${kB(all.gzip)}`);
  return files;
}

/** Bytes of generated code each npm package (or app folder) puts in the given chunks. */
function byPackage(dist, files) {
  const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const decode = (s) => {
    const out = [];
    let value = 0;
    let shift = 0;
    for (const ch of s) {
      const digit = B64.indexOf(ch);
      value += (digit & 31) << shift;
      if (digit & 32) shift += 5;
      else {
        out.push(value & 1 ? -(value >> 1) : value >> 1);
        value = 0;
        shift = 0;
      }
    }
    return out;
  };
  const totals = new Map();
  for (const file of files) {
    if (!file.endsWith(".js") || !existsSync(join(dist, `${file}.map`))) continue;
    const lines = readFileSync(join(dist, file), "utf8").split("\n");
    const map = JSON.parse(readFileSync(join(dist, `${file}.map`), "utf8"));
    let source = 0;
    map.mappings.split(";").forEach((line, i) => {
      let col = 0;
      const segs = (line ? line.split(",") : []).map((s) => {
        const d = decode(s);
        col += d[0];
        if (d.length > 1) source += d[1];
        return [col, d.length > 1 ? source : null];
      });
      segs.forEach(([start, src], j) => {
        if (src === null) return;
        const end = j + 1 < segs.length ? segs[j + 1][0] : (lines[i] ?? "").length;
        const name = map.sources[src];
        const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(name)?.[1] ?? `app: ${name.replace(/^.*?src\//, "src/").split("/").slice(0, 3).join("/")}`;
        totals.set(pkg, (totals.get(pkg) ?? 0) + end - start);
      });
    });
  }
  console.log(`\nFirst-load JS by source (from source maps; minified bytes, top 15)\n`);
  for (const [name, bytes] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
    console.log(`${name.padEnd(44)} ${kB(bytes)}`);
  }
}

const distArg = [...args].find((a) => a.startsWith("--dist="));
const dist = distArg ? distArg.slice("--dist=".length) : join(web, "dist");
if (args.has("--build") || !existsSync(join(dist, ".vite", "manifest.json"))) build(dist, false);
report(dist);
if (args.has("--packages")) {
  const tmp = mkdtempSync(join(tmpdir(), "polychat-bundle-"));
  try {
    build(tmp, true);
    const manifest = JSON.parse(readFileSync(join(tmp, ".vite", "manifest.json"), "utf8"));
    byPackage(tmp, firstLoad(tmp, manifest).files);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}


