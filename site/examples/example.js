// The example page's own script: drives the two embeds and shows what they report.
const [pointsEmbed, imageEmbed] = document.querySelectorAll("[data-kmeanslab]");
const fmt = (x, digits = 1) => Number(x).toFixed(digits);

function readout(id, text) {
  document.getElementById(id).textContent = text;
}

pointsEmbed.addEventListener("kmeanslab:result", ({ detail: { result } }) => {
  const k = new Set(result.labels).size;
  const inertia = result.inertia === undefined ? "" : `, inertia ${fmt(result.inertia)}`;
  const ari = result.ari == null ? "" : `, adjusted Rand index ${fmt(result.ari, 3)}`;
  readout("points-readout", `The embed reports ${k} clusters of ${result.labels.length} points${inertia}${ari}.`);
});

imageEmbed.addEventListener("kmeanslab:result", ({ detail: { result } }) => {
  const psnr = result.psnr === undefined ? "" : `, PSNR ${fmt(result.psnr)} dB`;
  readout("image-readout", `The embed reports the photo quantized to ${result.n_colors_out} colors${psnr}.`);
});

for (const el of [pointsEmbed, imageEmbed]) {
  el.addEventListener("kmeanslab:error", ({ detail }) => readout(`${el.dataset.kmeanslab}-readout`, detail.message));
}

for (const button of document.querySelectorAll("[data-points-k]")) {
  button.addEventListener("click", () => pointsEmbed.kmeanslab.set({ params: { k: button.dataset.pointsK } }));
}
for (const button of document.querySelectorAll("[data-points-preset]")) {
  button.addEventListener("click", () => pointsEmbed.kmeanslab.preset(button.dataset.pointsPreset));
}
for (const button of document.querySelectorAll("[data-image-colors]")) {
  button.addEventListener("click", () => imageEmbed.kmeanslab.set({ params: { n_colors: button.dataset.imageColors } }));
}
