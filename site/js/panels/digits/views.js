// The Digits panel's two views of the data: the gallery of the selected digits and the
// t-SNE embedding (a run's live frames, else the committed result's), with its legend.
import { CLUSTER_COLORS, cssColor } from "../../draw/palette.js";
import { drawGallery } from "../../draw/digit-images.js";
import { drawEmbedding } from "../../draw/embedding.js";
import { num, plural } from "./text.js";

/** Indices and caption of the selected center's or cell's digits, under the current matching. */
function selected(panel) {
  const s = panel.selection;
  if (!s || !panel.result) return null;
  const idx = [];
  if ("cluster" in s) {
    const c = s.cluster;
    panel.result.labels.forEach((l, i) => { if (l === c) idx.push(i); });
    const digit = panel.mapping()[c];
    return { idx, text: `Cluster ${c + 1} (matched to ${digit < 0 ? "no digit" : `digit ${digit}`}): ${num(idx.length)} digits` };
  }
  const [t, column] = s.cell;
  const p = column < 10 ? column : -1;
  const pred = panel.predictions();
  for (let i = 0; i < pred.length; i++) if (panel.digits.target[i] === t && pred[i] === p) idx.push(i);
  return { idx, text: `True ${t}, predicted ${p < 0 ? "none" : p}: ${num(idx.length)} digit${plural(idx.length)}` };
}

/** The gallery of the selected center's or cell's digits. */
export function drawSelection(panel, scroll = false) {
  const canvas = panel.$(".digits-gallery");
  const caption = panel.$(".digits-gallery-caption");
  const s = selected(panel);
  if (!s || !panel.digits) {
    drawGallery(canvas, new Uint8Array(0), []);
    caption.textContent = "Select a center or a cell of the confusion matrix.";
    canvas.setAttribute("aria-label", "No digits selected");
    return;
  }
  const shown = drawGallery(canvas, panel.digits.data, s.idx);
  const more = shown < s.idx.length ? ` (first ${num(shown)} shown)` : "";
  const text = `${s.text}${more}.`;
  caption.textContent = text;
  canvas.setAttribute("aria-label", `Digit images. ${text}`);
  if (scroll) panel.$(".digits-gallery-figure").scrollIntoView?.({ block: "nearest" });
}

/** The live t-SNE frame while one runs, else the committed result's embedding. */
export function drawEmbeddingCard(panel) {
  const card = panel.$(".digits-embedding-card");
  const canvas = panel.$(".digits-embedding");
  const caption = panel.$(".digits-embedding-caption");
  const live = panel.live;
  const e = live ?? panel.result?.embedding;
  card.hidden = !e && panel.preprocess !== "tsne";
  if (!e) {
    drawEmbedding(canvas, null, null, cssColor("--canvas-bg", "#ffffff"));
    canvas.setAttribute("aria-label", "No embedding yet");
    caption.textContent = "No t-SNE embedding yet: press Run to compute one; it is drawn as it forms.";
    panel.$(".digits-legend").replaceChildren();
    return;
  }
  const byCluster = !live;
  drawEmbedding(canvas, e.points, byCluster ? panel.result.labels : panel.digits?.target, cssColor("--canvas-bg", "#ffffff"));
  const what = byCluster ? "colored by k-means cluster" : "colored by true digit";
  const state = live ? `at iteration ${num(e.iteration)}, still optimizing` : `after ${num(e.iteration)} iterations`;
  const text = `t-SNE embedding of ${num(e.points.length / 2)} digits ${state}, ${what}.`;
  canvas.setAttribute("aria-label", text);
  caption.textContent = `${text}${!live && e.ms ? ` ${(e.ms / 1000).toFixed(1)} s.` : ""}`;
  fillLegend(panel, byCluster);
}

function fillLegend(panel, byCluster) {
  const n = byCluster ? panel.result.n_clusters : 10;
  const map = byCluster ? panel.mapping() : null;
  const items = [];
  for (let g = 0; g < n; g++) {
    const li = document.createElement("li");
    li.style.setProperty("--swatch", CLUSTER_COLORS[g % CLUSTER_COLORS.length]);
    li.textContent = byCluster ? `cluster ${g + 1} → ${map[g] < 0 ? "none" : map[g]}` : `digit ${g}`;
    items.push(li);
  }
  panel.$(".digits-legend").replaceChildren(...items);
}
