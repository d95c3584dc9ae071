// The Image panel's state in the URL: "#image?sample=china.jpg&n_colors=8&dither=ordered".
// Only what differs from the defaults is written. A person's own picture never goes into
// the URL (nothing leaves their machine): the link then says "image=yours", and opening
// it restores the settings and asks for the picture.

export const SAMPLES = ["china.jpg", "flower.jpg"];
export const DEFAULTS = Object.freeze({
  n_colors: "16", method: "kmeans", dither: "none", seed: "0", random_swap: "0", view: "side", zoom: "fit",
});
const KEYS = Object.keys(DEFAULTS);

/** "#image?..." for `values` (strings) and the picture: a sample name, "yours", or null. */
export function writeHash(values, picture) {
  const params = new URLSearchParams();
  if (SAMPLES.includes(picture)) params.set("sample", picture);
  else if (picture) params.set("image", "yours");
  for (const key of KEYS) {
    if (values[key] !== undefined && String(values[key]) !== DEFAULTS[key]) params.set(key, values[key]);
  }
  const query = params.toString();
  return query ? `#image?${query}` : "#image";
}

/**
 * {values, sample, yours} from a "#image?..." hash, or null when it holds no state.
 * Unknown keys and samples are dropped; values are checked by the form when used.
 */
export function readHash(hash) {
  const i = hash.indexOf("?");
  if (!hash.startsWith("#image") || i < 0) return null;
  const params = new URLSearchParams(hash.slice(i + 1));
  const values = {};
  for (const key of KEYS) if (params.has(key)) values[key] = params.get(key);
  const sample = SAMPLES.includes(params.get("sample")) ? params.get("sample") : null;
  return { values, sample, yours: !sample && params.get("image") === "yours" };
}

/** The Image panel's settings as the URL holds them (strings), read from its DOM. */
export function formValues(root) {
  const f = root.querySelector("form.image-controls").elements;
  const checked = root.querySelector('.compare [name="view"]:checked');
  return {
    n_colors: f.n_colors.value.trim(), method: f.method.value, dither: f.dither.value, seed: f.seed.value.trim(),
    random_swap: f.random_swap.checked ? "1" : "0", view: checked?.value ?? DEFAULTS.view,
    zoom: root.querySelector('.compare [name="zoom"]').value,
  };
}
