// For documentation pages that embed kmeans-lab: turns each
//   <div data-kmeanslab="points" data-params="preset=moons-kmeans" data-title="..."></div>
// into an iframe of embed.html that sizes itself to its content, and gives the element
//   element.kmeanslab.set({params: {k: 3}})   .run()   .preset("moons-spectral")
// plus the events "kmeanslab:result", "kmeanslab:ready", "kmeanslab:state" (detail: the
// message) on the element. Load it as a module from where kmeans-lab is hosted:
//   <script type="module" src="https://example.org/kmeans-lab/js/embed-host.js"></script>
// It allows its own page's origin in the embed URL, so results come back to it.

const EMBED_URL = new URL("../embed.html", import.meta.url);
const PREFIX = "kmeanslab:";
const MIN_HEIGHT = 240;

/** The iframe URL for a panel with extra query parameters ("k=3&preset=..."). */
export function embedUrl(panel, params = "") {
  const url = new URL(EMBED_URL);
  const query = new URLSearchParams(params);
  query.set("panel", panel);
  query.append("origin", location.origin);
  url.search = query.toString();
  return url.href;
}

class Embed {
  constructor(element) {
    this.element = element;
    this.frame = document.createElement("iframe");
    this.frame.src = embedUrl(element.dataset.kmeanslab, element.dataset.params ?? "");
    this.frame.title = element.dataset.title || `kmeans-lab: ${element.dataset.kmeanslab} panel`;
    this.frame.loading = "lazy";
    this.frame.className = "kmeanslab-frame";
    this.frame.style.width = "100%";
    this.frame.style.border = "0";
    this.frame.style.height = `${element.dataset.height || 480}px`;
    element.replaceChildren(this.frame);
    element.kmeanslab = this;
  }

  send(message) {
    this.frame.contentWindow?.postMessage(message, EMBED_URL.origin);
  }

  set({ params = {}, points = null, run = true } = {}) {
    this.send({ type: `${PREFIX}set`, params, points, run });
  }

  run() { this.send({ type: `${PREFIX}run` }); }

  preset(name) { this.send({ type: `${PREFIX}preset`, name }); }

  receive(data) {
    if (data.type === `${PREFIX}height`) {
      this.frame.style.height = `${Math.max(MIN_HEIGHT, Math.ceil(data.height))}px`;
      return;
    }
    this.element.dispatchEvent(new CustomEvent(data.type, { detail: data }));
  }
}

const embeds = new Map();

window.addEventListener("message", (event) => {
  if (event.origin !== EMBED_URL.origin || typeof event.data?.type !== "string") return;
  for (const [frameWindow, embed] of embeds) {
    if (frameWindow === event.source) embed.receive(event.data);
  }
});

/** Turn every not yet converted [data-kmeanslab] element under ``root`` into an embed. */
export function mountAll(root = document) {
  for (const element of root.querySelectorAll("[data-kmeanslab]")) {
    if (element.kmeanslab) continue;
    const embed = new Embed(element);
    embeds.set(embed.frame.contentWindow, embed);
  }
}

mountAll();
