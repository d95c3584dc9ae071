// The Digits panel's tables and center tiles: plain DOM, every interactive cell a button;
// the confusion matrix is one tab stop with arrow-key navigation inside it.
import { heatCell } from "../../draw/heatmap.js";
import { paintDigitCanvas } from "../../draw/digit-images.js";

import { num, pct } from "./text.js";

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
    button.setAttribute("aria-label", `Cluster ${c + 1}: ${num(res.sizes[c])} digits, matched to ${digit === "none" ? "no digit" : `digit ${digit}`}. Show its members.`);
    const canvas = document.createElement("canvas");
    canvas.setAttribute("aria-hidden", "true");
    paintDigitCanvas(canvas, res.center_images, c * 64);
    const label = document.createElement("span");
    label.className = "digits-center-label";
    label.innerHTML = `<b>${digit === "none" ? "–" : digit}</b> <span>${num(res.sizes[c])}</span>`;
    button.append(canvas, label);
    button.addEventListener("click", () => onPick(c));
    item.append(button);
    return item;
  }));
}

/**
 * Confusion matrix (true digit x predicted digit) as a heat table with one tab stop: the
 * cells are buttons with a roving tabindex (arrow keys, Home, End, Page Up/Down move the
 * focus, which selects the cell and shows its digits, as a click does). `selected` is
 * [true, predicted column] or null; `onPick(true, predicted, column, byKey)` (predicted
 * -1: "none"; byKey: moved with the keyboard, so the page should not scroll away).
 */
export function fillConfusion(table, matrix, selected, onPick) {
  const n = 10;
  const cols = matrix.length / n;
  const hadFocus = table.contains(document.activeElement);
  const caption = document.createElement("caption");
  caption.className = "visually-hidden";
  caption.textContent = "Confusion matrix: rows are true digits, columns predicted digits. Arrow keys move between cells.";
  const axis = document.createElement("tr");
  const blank = document.createElement("td");
  const predicted = document.createElement("th");
  predicted.colSpan = cols;
  predicted.scope = "colgroup";
  predicted.textContent = "Predicted digit →";
  predicted.className = "axis";
  axis.append(blank, predicted);
  const head = document.createElement("tr");
  head.append(th("True ↓", "col", "axis corner"));
  for (let j = 0; j < cols; j++) head.append(th(j < n ? String(j) : "none", "col"));
  const [si, sj] = selected && selected[1] < cols ? selected : [-1, -1];
  const buttons = [];
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
      b.textContent = num(count);
      b.dataset.true = String(i);
      b.dataset.pred = String(j < n ? j : -1);
      b.tabIndex = -1;
      b.setAttribute("aria-label", `True ${i}, predicted ${j < n ? j : "none"}: ${num(count)} digit${count === 1 ? "" : "s"}. Show them.`);
      if (i === j) td.classList.add("diag");
      if (i === si && j === sj) {
        td.classList.add("selected");
        b.setAttribute("aria-pressed", "true");
      } else {
        b.setAttribute("aria-pressed", "false");
      }
      heatCell(td, count, total);
      td.append(b);
      tr.append(td);
      buttons.push(b);
    }
    body.push(tr);
  }
  const at = (i, j) => buttons[i * cols + j];
  const active = si >= 0 ? at(si, sj) : at(0, 0);
  active.tabIndex = 0;
  const pick = (i, j, byKey) => {
    for (const b of buttons) b.tabIndex = -1;
    at(i, j).tabIndex = 0;
    onPick(i, j < n ? j : -1, j, byKey);
  };
  buttons.forEach((b, index) => {
    const i = Math.floor(index / cols), j = index % cols;
    b.addEventListener("click", () => pick(i, j, false));
    b.addEventListener("keydown", (e) => {
      const to = move(e, i, j, n, cols);
      if (!to) return;
      e.preventDefault();
      at(to[0], to[1]).focus();
      pick(to[0], to[1], true);
    });
  });
  const thead = document.createElement("thead");
  thead.append(axis, head);
  const tbody = document.createElement("tbody");
  tbody.append(...body);
  table.replaceChildren(caption, thead, tbody);
  if (hadFocus) active.focus({ preventScroll: true });
}

/** Where a key moves the focus from cell (i, j) of an n x cols grid, or null. */
function move(e, i, j, n, cols) {
  switch (e.key) {
    case "ArrowUp": return [Math.max(0, i - 1), j];
    case "ArrowDown": return [Math.min(n - 1, i + 1), j];
    case "ArrowLeft": return [i, Math.max(0, j - 1)];
    case "ArrowRight": return [i, Math.min(cols - 1, j + 1)];
    case "Home": return e.ctrlKey ? [0, 0] : [i, 0];
    case "End": return e.ctrlKey ? [n - 1, cols - 1] : [i, cols - 1];
    case "PageUp": return [0, j];
    case "PageDown": return [n - 1, j];
    default: return null;
  }
}

function th(text, scope, className = "") {
  const el = document.createElement("th");
  el.scope = scope;
  el.textContent = text;
  if (className) el.className = className;
  return el;
}
