// Start the NHS.UK frontend components. Loaded as a module, so no inline script is needed
// and browsers too old for modules simply get the plain HTML, which works on its own.
import { initAll } from "/assets/nhsuk/nhsuk-frontend.min.js";
import "./device.js"; // the installable app: offline drafts, the service worker

document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();
