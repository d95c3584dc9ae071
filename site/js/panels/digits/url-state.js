// The Digits panel's state in the URL: "#digits?k=12&preprocess=tsne&...", only the
// settings that differ from the defaults, so that a link reopens the same result.

/** URL key -> form field name. Short keys for the settings people change most. */
export const URL_KEYS = {
  k: "n_clusters",
  restarts: "n_init",
  seed: "seed",
  preprocess: "preprocess",
  components: "n_components",
  perplexity: "perplexity",
  iterations: "tsne_iter",
  matching: "matching",
};

/** Hash for `values` (field name -> value), listing those that differ from `defaults`. */
export function writeDigitsHash(values, defaults) {
  const params = new URLSearchParams();
  for (const [key, field] of Object.entries(URL_KEYS)) {
    if (field in values && String(values[field]) !== String(defaults[field])) params.set(key, values[field]);
  }
  const query = params.toString();
  return query ? `#digits?${query}` : "#digits";
}

/**
 * Settings (field name -> text) from a "#digits?..." hash; null when it holds none.
 * Unknown keys are returned in `unknown`, so the panel can say what it ignored.
 */
export function readDigitsHash(hash) {
  const i = hash.indexOf("?");
  if (!hash.startsWith("#digits") || i < 0) return null;
  const values = {};
  const unknown = [];
  for (const [key, value] of new URLSearchParams(hash.slice(i + 1))) {
    if (key in URL_KEYS) values[URL_KEYS[key]] = value;
    else unknown.push(key);
  }
  return { values, unknown };
}
