// App shell: takes the engine boot.js started, routes between panels, wires the status line.
// Embedded (embed.html, or index.html?embed) it shows one panel and talks to its host.
import { engine } from "./boot.js";
import { embedOptions, enterEmbed, startEmbed } from "./embed.js";
import { HostApi } from "./host-api.js";
import { registerOffline } from "./offline.js";
import { mirrorErrors, replayEarlyRuns, showQueuedRuns } from "./form.js";
import { addIntro } from "./intro.js";
import { engineStatus, say, showPanelStatus } from "./status.js";
import { PointsPanel } from "./panels/points.js";
import { ImagePanel } from "./panels/image.js";
import { DigitsPanel } from "./panels/digits.js";

// The engine started in boot.js: show where it is now, then follow it.
engine.addEventListener("status", ({ detail }) => engineStatus(detail.state, detail.message));
engineStatus(engine.state, engine.message);
showQueuedRuns(engine);

// For embedding pages and tests: the engine and the panels, nothing more.
window.kmeanslab = { engine, panels: {} };

const PANELS = ["points", "image", "digits"];
const factories = {
  points: (root) => new PointsPanel(root, engine),
  image: (root) => new ImagePanel(root, engine),
  digits: (root) => new DigitsPanel(root, engine),
};

/** The panel named by a hash like "#digits" or "#points?k=3". */
const panelOf = (hash) => hash.slice(1).split("?")[0];

function show(name) {
  if (!PANELS.includes(name)) name = "points";
  for (const section of document.querySelectorAll("section.panel")) {
    section.hidden = section.dataset.panel !== name;
  }
  for (const link of document.querySelectorAll("nav a[data-panel]")) {
    if (link.dataset.panel === name) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  showPanelStatus(name);
  const panels = window.kmeanslab.panels;
  if (!panels[name] && factories[name]) {
    const section = document.getElementById(`panel-${name}`);
    if (!embed) addIntro(section, name);
    mirrorErrors(section, name, say);
    panels[name] = factories[name](section);
    replayEarlyRuns(section);
  }
  panels[name]?.shown?.();
  return panels[name];
}

const embed = embedOptions();
if (embed) {
  enterEmbed(embed);
  const panel = show(embed.panel);
  startEmbed(embed, panel);
  window.kmeanslab.host = new HostApi({ panelName: embed.panel, panel, engine, origins: embed.origins });
} else {
  window.addEventListener("hashchange", () => show(panelOf(location.hash)));
  show(panelOf(location.hash));
}

registerOffline(engine);
