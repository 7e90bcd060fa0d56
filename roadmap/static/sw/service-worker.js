// Roadmap's service worker. The server puts SHELL (the offline page and the hashed files it
// loads) above this line. It keeps ONLY an allow-list of responses that carry nobody's data:
//   - the shell: the offline page (the same for everyone), the manifest, the icons;
//   - hashed static files (a name with a content hash never changes);
//   - the framework's forms as data (/offline/forms/<version>.json: questions, no answers).
// Every other request goes to the network untouched and nothing of it is kept: pages and
// personal JSON are `no-store`, and a response that says `no-store` is never kept, whatever
// its address. With no connection, a page that cannot load gets the offline page instead.
const VERSION = SHELL.join("|");
const PREFIX = "roadmap-shell-";
let cacheName = PREFIX;

const HASHED = /^\/(static\/build|assets\/nhsuk)\/.+\.[0-9a-f]{12}\.[a-z0-9]+$/;
const FORMS = /^\/offline\/forms\/\d+\.json$/;
const FIXED = new Set(["/offline", "/manifest.webmanifest", "/offline/icons/icon-192.png",
  "/offline/icons/icon-512.png"]);

// May the response to this URL be kept at all? (Exported for the allow-list test.)
function allowed(url) {
  const { origin, pathname, search } = new URL(url, self.location.origin);
  if (origin !== self.location.origin || search) return false;
  return FIXED.has(pathname) || HASHED.test(pathname) || FORMS.test(pathname)
    || SHELL.includes(pathname);
}

function keepable(url, response) {
  return allowed(url) && response.ok && response.type === "basic"
    && !/no-store/i.test(response.headers.get("Cache-Control") || "");
}

async function name() {
  const data = new TextEncoder().encode(VERSION);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
  return PREFIX + [...digest.slice(0, 6)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    cacheName = await name();
    const cache = await caches.open(cacheName);
    // The shell is fetched without cookies: what is kept cannot depend on who is signed in.
    await Promise.all(SHELL.map(async (url) => {
      const response = await fetch(url, { credentials: "omit", cache: "no-cache" });
      if (keepable(url, response)) await cache.put(url, response);
    }));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    cacheName = await name();
    for (const old of await caches.keys()) {
      if (old.startsWith(PREFIX) && old !== cacheName) await caches.delete(old);
    }
    await self.clients.claim();
  })());
});

async function fromNetwork(request) {
  const response = await fetch(request);
  if (keepable(request.url, response)) {
    const cache = await caches.open(await name());
    await cache.put(request.url, response.clone());
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  const path = new URL(request.url).pathname;
  if (allowed(request.url) && HASHED.test(path)) {
    // Never changes: the kept copy, else the network (and keep it).
    event.respondWith(caches.match(request.url).then((kept) => kept || fromNetwork(request)));
  } else if (allowed(request.url)) {
    // May change: the network first, the kept copy with no connection.
    event.respondWith(fromNetwork(request).catch(async () => {
      const kept = await caches.match(request.url);
      if (kept) return kept;
      throw new TypeError("offline, and not kept");
    }));
  } else if (request.mode === "navigate") {
    // A page: always the network; with no connection, the offline page.
    event.respondWith(fetch(request).catch(async () => (await caches.match("/offline"))
      || Response.error()));
  }
});
