// For each PDF named on the command line, one JSON line: the document information's Title,
// the XMP dc:title as pdf.js reads it, and the title pdf.js's viewer shows in its title bar
// (web/app.js, _initializeMetadata). A file pdf.js cannot open gives {"file", "error"}.
// With --pages first, also the page count and the first page's text, annotations (their kinds)
// and box as pdf.js finds them.
// Runs in-process (no worker thread), reads nothing from the network and logs nothing else.
import { readFile } from "node:fs/promises";

const pdfjs = await import("pdfjs-dist/legacy/build/pdf.mjs");
pdfjs.GlobalWorkerOptions.workerSrc ||= "pdfjs-dist/legacy/build/pdf.worker.mjs";

// The viewer's choice: the Info Title, replaced by the metadata's dc:title unless that is
// empty, "Untitled" or holds a character from the Specials block (U+FFF0 to U+FFFF).
function shownTitle(info, metadataTitle) {
  let title = info?.Title;
  if (metadataTitle && metadataTitle !== "Untitled" && !/[\uFFF0-\uFFFF]/.test(metadataTitle)) {
    title = metadataTitle;
  }
  return title ? String(title) : null;
}

async function titles(file, pages) {
  let task = null;
  try {
    const data = new Uint8Array(await readFile(file));
    task = pdfjs.getDocument({
      data, verbosity: 0, isEvalSupported: false, disableFontFace: true, useSystemFonts: false,
      disableAutoFetch: true, disableStream: true, stopAtErrors: false,
    });
    const doc = await task.promise;
    const { info, metadata } = await doc.getMetadata();
    const xmpTitle = metadata?.get("dc:title") ?? null;
    const infoTitle = info?.Title === undefined ? null : String(info.Title);
    const found = { file, info_title: infoTitle, xmp_title: xmpTitle, shown: shownTitle(info, xmpTitle) };
    if (pages) {
      const first = await doc.getPage(1);
      const text = await first.getTextContent();
      found.pages = doc.numPages;
      found.first_page = text.items.map((item) => item.str).join(" ");
      found.first_page_annotations = (await first.getAnnotations()).map((a) => a.subtype);
      found.first_page_box = first.view;
    }
    return found;
  } catch (error) {
    return { file, error: String(error?.message ?? error) };
  } finally {
    await task?.destroy().catch(() => {});
  }
}

const pages = process.argv[2] === "--pages";
for (const file of process.argv.slice(pages ? 3 : 2)) {
  process.stdout.write(JSON.stringify(await titles(file, pages)) + "\n");
}
