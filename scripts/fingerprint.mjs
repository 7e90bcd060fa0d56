// Give the built stylesheet and our scripts content-hashed names, so they can be cached for a
// year (a changed file gets a new name, and the page that names it is never cached), and write
// them pre-compressed (.br, .gz) beside each, which WhiteNoise sends to a client that asks.
//
// Runs after sass (npm run build:css). Reads roadmap/static/build/roadmap.css, roadmap/static/*.js
// and the few nhsuk-frontend files they use; writes roadmap/static/build/<name>.<hash>.<ext> and
// roadmap/static/build/manifest.json ({"roadmap.js": "build/roadmap.0123456789ab.js", ...}),
// which the app reads so that url_for('static', filename='roadmap.js') names the hashed file
// (and url_for('nhsuk_asset', filename='assets/images/favicon.svg') the favicon's).
// Node's own crypto and zlib only: nothing more to install.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, extname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const STATIC = join(ROOT, "roadmap", "static");
const BUILD = join(STATIC, "build");
const NHSUK = join(ROOT, "node_modules", "nhsuk-frontend", "dist", "nhsuk");
// The path the stylesheet's icons and our scripts' import name before the build (the app's
// own route for the nhsuk-frontend files: roadmap/web/assets.py).
const NHSUK_ROUTE = "/assets/nhsuk/";
const HASHED = /\.[0-9a-f]{12}\.[a-z0-9]+(\.br|\.gz)?$/;

function hashed(name, content) {
  const digest = createHash("sha256").update(content).digest("hex").slice(0, 12);
  const ext = extname(name);
  return `${name.slice(0, -ext.length)}.${digest}${ext}`;
}

// Write one hashed file (and its compressed copies) under build/; its path relative to build/.
function emit(name, content) {
  const target = join(BUILD, hashed(name, content));
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, content);
  if (/\.(css|js|svg|json)$/.test(target)) {
    writeFileSync(`${target}.gz`, gzipSync(content, { level: 9 }));
    writeFileSync(`${target}.br`, brotliCompressSync(content, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11 },
    }));
  }
  return relative(BUILD, target);
}

// A file from the nhsuk-frontend build, hashed under build/nhsuk/; its URL relative to `from`
// (the folder under build/ of the file that names it). The source map comment goes: the map is
// not served, and a browser asking for it would log a failed request.
function nhsukFile(path, from) {
  let content = readFileSync(join(NHSUK, path));
  if (path.endsWith(".js")) {
    content = Buffer.from(content.toString("utf8").replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, "\n"));
  }
  const written = emit(join("nhsuk", path), content);
  return relative(from, written);
}

// Files of earlier builds stay a while: a page loaded before a deploy (or served by a server not
// yet upgraded) still names them, and a running server's WhiteNoise listed them when it started.
// Those not written again for KEEP_DAYS go, so they do not pile up.
const KEEP_DAYS = 7;
function prune(folder) {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) prune(path);
    else if (HASHED.test(entry.name) && Date.now() - statSync(path).mtimeMs > KEEP_DAYS * 86400e3) rmSync(path);
  }
}
prune(BUILD);

const manifest = {};
const route = NHSUK_ROUTE.replaceAll("/", "\\/");
// The stylesheet: its icons become hashed files beside it, named relative to it.
let css = readFileSync(join(BUILD, "roadmap.css"), "utf8");
css = css.replace(new RegExp(`url\\((["']?)${route}([^"')]+)\\1\\)`, "g"),
  (_, quote, path) => `url(${quote}${nhsukFile(path, ".")}${quote})`);
manifest["build/roadmap.css"] = join("build", emit("roadmap.css", Buffer.from(css)));
// Our scripts: an import of the nhsuk-frontend bundle names its hashed copy (listed too, so the
// service worker can keep it for offline use), and an import of another of our scripts
// ("./drafts.js") names that one's hashed copy: scripts that import none of ours go first.
const LOCAL = /(["'])\.\/([\w-]+\.js)\1/g;
const scripts = readdirSync(STATIC).filter((n) => n.endsWith(".js")).sort();
const sources = Object.fromEntries(scripts.map((n) => [n, readFileSync(join(STATIC, n), "utf8")]));
const ready = (name) => [...sources[name].matchAll(LOCAL)].every(([, , dep]) => manifest[dep]);
for (let left = [...scripts]; left.length;) {
  const name = left.find(ready);
  if (!name) throw new Error(`scripts import each other in a circle: ${left.join(", ")}`);
  left = left.filter((n) => n !== name);
  let js = sources[name].replace(new RegExp(`(["'])${route}([^"']+)\\1`, "g"), (_, quote, path) => {
    const written = nhsukFile(path, ".");
    manifest[join("build", "nhsuk", path)] = join("build", written);
    return `${quote}./${written}${quote}`;
  });
  js = js.replace(LOCAL, (_, quote, dep) => `${quote}./${basename(manifest[dep])}${quote}`);
  manifest[name] = join("build", emit(basename(name), Buffer.from(js)));
}
// The favicon, which the layout names through the app's nhsuk-frontend route: its hashed copy is
// served at that route's path (WhiteNoise also serves build/nhsuk/ at /assets/nhsuk/).
manifest["nhsuk_asset:assets/images/favicon.svg"] = nhsukFile("assets/images/favicon.svg", "nhsuk");
writeFileSync(join(BUILD, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
