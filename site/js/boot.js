// Starts the Python worker as early as the page can: index.html loads this small module
// before main.js, so Pyodide begins downloading while the panels' modules are still being
// fetched. main.js imports the same instance. A Run pressed before main.js has built its
// panel is held here and replayed then (see form.js).
import { Engine } from "./engine.js";
import { holdEarlyRuns } from "./form.js";

export const engine = new Engine();
holdEarlyRuns((name) => Boolean(window.kmeanslab?.panels?.[name]));
