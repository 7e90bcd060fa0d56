// The drafts kept on this device (IndexedDB), each filed under the opaque key of the person it
// belongs to (data-device-key on a signed-in page, remembered for the offline page). Only
// unsynced drafts live here: a draft is deleted as soon as the portfolio has it.
const DB = "roadmap-drafts";
const STORE = "drafts";
const KEY = "roadmap.deviceKey";
const FORMS = "roadmap.formsUrl";

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function open() {
  const req = indexedDB.open(DB, 1);
  req.onupgradeneeded = () => {
    req.result.createObjectStore(STORE, { keyPath: "id" }).createIndex("owner", "owner");
  };
  return request(req);
}

async function store(mode) {
  const db = await open();
  return db.transaction(STORE, mode).objectStore(STORE);
}

// The person this device's drafts are shown to now, or "" when nobody is signed in here.
export function owner() {
  return localStorage.getItem(KEY) || "";
}

export function formsUrl() {
  return localStorage.getItem(FORMS) || "";
}

export function remember(key, forms) {
  localStorage.setItem(KEY, key);
  if (forms) localStorage.setItem(FORMS, forms);
}

// Assessor mode on this device: set by the assessor's pages, cleared by the candidate's.
const ASSESSOR = "roadmap.assessorMode";

export function assessorMode(on) {
  if (on === true) localStorage.setItem(ASSESSOR, "1");
  else if (on === false) localStorage.removeItem(ASSESSOR);
  return localStorage.getItem(ASSESSOR) === "1";
}

export function forget() {
  localStorage.removeItem(KEY);
  localStorage.removeItem(FORMS);
}

export function newId() {
  return crypto.randomUUID();
}

// The signed-in person's drafts, newest first.
export async function list() {
  const key = owner();
  if (!key) return [];
  const found = await request((await store("readonly")).index("owner").getAll(key));
  return found.sort((a, b) => b.savedAt.localeCompare(a.savedAt));
}

export async function get(id) {
  const found = await request((await store("readonly")).get(id));
  return found && found.owner === owner() ? found : undefined;
}

export async function put(draft) {
  const key = owner();
  if (!key) throw new Error("Nobody is signed in on this device");
  const kept = { ...draft, owner: key, savedAt: new Date().toISOString() };
  await request((await store("readwrite")).put(kept));
  return kept;
}

export async function remove(id) {
  await request((await store("readwrite")).delete(id));
}

// Drafts of anyone but `key`: someone else signed in here after their session ended.
export async function removeOthers(key) {
  const all = await request((await store("readonly")).getAll());
  const others = all.filter((d) => d.owner !== key);
  if (!others.length) return;
  const tx = await store("readwrite");
  await Promise.all(others.map((d) => request(tx.delete(d.id))));
}

// Everything of this device's: every draft, the key, and the worker's caches.
export async function clearAll() {
  forget();
  assessorMode(false);
  await new Promise((resolve) => {
    const req = indexedDB.deleteDatabase(DB);
    req.onsuccess = req.onerror = req.onblocked = () => resolve();
  });
  if (window.caches) {
    for (const name of await caches.keys()) await caches.delete(name);
  }
}
