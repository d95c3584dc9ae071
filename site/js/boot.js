// Starts the Python worker as early as the page can: index.html loads this small module
// before main.js, so Pyodide begins downloading while the panels' modules are still being
// fetched. main.js imports the same instance.
import { Engine } from "./engine.js";

export const engine = new Engine();
