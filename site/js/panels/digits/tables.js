// The Digits panel's tables and center tiles: plain DOM, every interactive cell a button.
import { heatCell } from "../../draw/heatmap.js";
import { paintDigitCanvas } from "../../draw/digit-images.js";

const pct = (x) => `${(100 * x).toFixed(1)}%`;
const num = (x) => Math.round(x).toLocaleString("en-US");

/** Rows of the restarts table; the kept restart is marked. */
export function fillRestarts(tbody, rows, best) {
  tbody.replaceChildren(...rows.map((r, i) => {
    const tr = document.createElement("tr");
    if (i === best) tr.className = "kept";
    const cells = [`${i + 1}${i === best ? " (kept)" : ""}`, num(r.inertia), pct(r.accuracy_majority), pct(r.accuracy_hungarian)];
    for (const text of cells) {
      const td = document.createElement("td");
      td.textContent = text;
      tr.append(td);
    }
    return tr;
  }));
}

/** Center tiles: image, matched digit, size; `onPick(cluster)` when one is chosen. */
export function fillCenters(box, res, mapping, onPick) {
  const k = res.n_clusters;
  const order = [...Array(k).keys()].sort((a, b) => (mapping[a] - mapping[b]) || (a - b));
  box.replaceChildren(...order.map((c) => {
    const digit = mapping[c] < 0 ? "none" : String(mapping[c]);
    const item = document.createElement("div");
    item.setAttribute("role", "listitem");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "digits-center";
    button.dataset.cluster = String(c);
    button.setAttribute("aria-label", `Cluster ${c + 1}: ${res.sizes[c]} digits, matched to ${digit === "none" ? "no digit" : `digit ${digit}`}. Show its members.`);
    const canvas = document.createElement("canvas");
    canvas.setAttribute("aria-hidden", "true");
    paintDigitCanvas(canvas, res.center_images, c * 64);
    const label = document.createElement("span");
    label.className = "digits-center-label";
    label.innerHTML = `<b>${digit === "none" ? "–" : digit}</b> <span>${res.sizes[c]}</span>`;
    button.append(canvas, label);
    button.addEventListener("click", () => onPick(c));
    item.append(button);
    return item;
  }));
}

/** Confusion matrix (true digit x predicted digit) as a heat table of buttons. */
export function fillConfusion(table, matrix, onPick) {
  const n = 10;
  const cols = matrix.length / n;
  const caption = document.createElement("caption");
  caption.className = "visually-hidden";
  caption.textContent = "Confusion matrix: rows are true digits, columns predicted digits";
  const head = document.createElement("tr");
  head.append(cornerCell());
  for (let j = 0; j < cols; j++) head.append(th(j < n ? String(j) : "none", "col"));
  const body = [];
  for (let i = 0; i < n; i++) {
    const tr = document.createElement("tr");
    tr.append(th(String(i), "row"));
    let total = 0;
    for (let j = 0; j < cols; j++) total += matrix[i * cols + j];
    for (let j = 0; j < cols; j++) {
      const count = matrix[i * cols + j];
      const td = document.createElement("td");
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = String(count);
      b.dataset.true = String(i);
      b.dataset.pred = String(j < n ? j : -1);
      b.setAttribute("aria-label", `True ${i}, predicted ${j < n ? j : "none"}: ${count} digit${count === 1 ? "" : "s"}. Show them.`);
      if (i === j) td.className = "diag";
      heatCell(td, count, total);
      b.addEventListener("click", () => onPick(i, j < n ? j : -1));
      td.append(b);
      tr.append(td);
    }
    body.push(tr);
  }
  const thead = document.createElement("thead");
  const corner = document.createElement("tr");
  const predicted = document.createElement("th");
  predicted.colSpan = cols + 1;
  predicted.textContent = "Predicted digit →";
  predicted.className = "axis";
  corner.append(predicted);
  thead.append(corner, head);
  const tbody = document.createElement("tbody");
  tbody.append(...body);
  table.replaceChildren(caption, thead, tbody);
}

function th(text, scope) {
  const el = document.createElement("th");
  el.scope = scope;
  el.textContent = text;
  return el;
}

function cornerCell() {
  const el = document.createElement("th");
  el.textContent = "True ↓";
  el.className = "axis";
  return el;
}
