// The first minute: a short introduction at the top of each panel (what it shows, what to
// try first, which of the chapter's figures it reproduces). Hidden with its "Hide" button,
// and remembered as hidden in localStorage; "About this panel" shows it again. main.js
// inserts it (never in embeds: a documentation page says its own words).

const KEY = "kmeanslab:intro-hidden";

/** Each panel's introduction: a lead sentence, then short paragraphs (static text only). */
const TEXTS = {
  points: {
    lead: "k-means splits points into k groups: each point joins its nearest center, then each center moves to the mean of its points, again and again until nothing changes.",
    paragraphs: [
      "Try first: “E–M steps”, then “Next”, to watch the chapter's expectation–maximization figure one step at a time. The other buttons under “From the chapter” redraw its other figures: the four blobs, a bad start, k = 6 on four blobs, and two moons that k-means cannot split but spectral clustering can.",
    ],
  },
  image: {
    lead: "A photo is a cloud of pixels in color space. k-means picks k colors that stand for all of them and repaints each pixel with the nearest one.",
    paragraphs: [
      "Try first: china.jpg at 16 colors, the chapter's color compression figure. The photo still looks right, and the pixel cloud shows the 16 colors chosen among thousands. Then lower “Colors (k)” and press “Quantize”, or choose your own photo: it never leaves your machine.",
    ],
  },
  digits: {
    lead: "1,797 handwritten digits of 8×8 pixels. k-means sorts them into 10 clusters without seeing their labels.",
    paragraphs: [
      "Try first: “Raw pixels: about 79%” under “From the chapter”. The cluster centers look like digits, and about 80% of the digits land in their digit's cluster, as in the chapter; the confusion matrix shows the mix-ups (1s and 8s most). Then “t-SNE first: about 93%”: t-SNE maps the digits to 2-D before k-means (“Before k-means” in the form), and the clusters match the digits far better.",
    ],
  },
};

function hiddenSet() {
  try {
    return new Set(JSON.parse(localStorage.getItem(KEY) ?? "[]"));
  } catch {
    return new Set(); // no storage (some private modes) or a bad value: show them all
  }
}

function remember(name, hidden) {
  const set = hiddenSet();
  if (hidden) set.add(name);
  else set.delete(name);
  try {
    localStorage.setItem(KEY, JSON.stringify([...set]));
  } catch {
    // not stored: the introduction shows again next visit, nothing worse
  }
}

function build(name) {
  const text = TEXTS[name];
  // A note, not an <aside>: a named aside is a landmark, which must not sit inside <main>.
  const box = document.createElement("div");
  box.className = "intro";
  box.id = `intro-${name}`;
  box.setAttribute("role", "note");
  box.setAttribute("aria-label", "About this panel");
  const lead = document.createElement("p");
  lead.className = "intro-lead";
  lead.textContent = text.lead;
  const hide = document.createElement("button");
  hide.type = "button";
  hide.className = "intro-hide";
  hide.textContent = "Hide";
  hide.setAttribute("aria-label", "Hide the introduction");
  box.append(hide, lead, ...text.paragraphs.map((t) => {
    const p = document.createElement("p");
    p.textContent = t;
    return p;
  }));
  return { box, hide };
}

/** Put panel ``name``'s introduction at the top of ``section`` (under its title). */
export function addIntro(section, name) {
  if (!TEXTS[name] || section.querySelector(".intro")) return null;
  const { box, hide } = build(name);
  const open = document.createElement("button");
  open.type = "button";
  open.className = "intro-open";
  open.textContent = "About this panel";
  open.setAttribute("aria-controls", box.id);
  const title = section.querySelector(".panel-title");
  const head = document.createElement("div");
  head.className = "panel-head";
  title ? title.replaceWith(head) : section.prepend(head);
  if (title) head.append(title);
  head.append(open);
  head.after(box);
  const set = (hidden, focus) => {
    box.hidden = hidden;
    open.setAttribute("aria-expanded", String(!hidden));
    if (focus) (hidden ? open : hide).focus();
  };
  set(hiddenSet().has(name), false);
  hide.addEventListener("click", () => { set(true, true); remember(name, true); });
  open.addEventListener("click", () => {
    const hidden = !box.hidden;
    set(hidden, !hidden);
    remember(name, hidden);
  });
  return box;
}
