// The Points panel's settings: validation rules, defaults, and the chapter's presets.

export const FIELDS = {
  kind: { type: "choice", values: ["blobs", "moons", "circles", "anisotropic", "varied", "uniform", "many", "drawn"], label: "Dataset" },
  n_samples: { type: "int", min: 1, max: 200000, label: "Points" },
  centers: { type: "int", min: 1, max: 50, label: "Blobs" },
  cluster_std: { type: "float", min: 0, max: 10, label: "Spread" },
  noise: { type: "float", min: 0, max: 1, label: "Noise" },
  data_seed: { type: "int", min: 0, max: 2 ** 32 - 1, label: "Data seed" },
  method: { type: "choice", values: ["kmeans", "random_swap", "minibatch", "spectral"], label: "Method" },
  n_clusters: { type: "int", min: 1, max: 50, label: "k (clusters)" },
  init: { type: "choice", values: ["k-means++", "random", "click"], label: "Init" },
  n_init: { type: "int", min: 1, max: 50, label: "Restarts (n_init)" },
  max_iter: { type: "int", min: 1, max: 1000, label: "Max iterations" },
  batch_size: { type: "int", min: 1, max: 100000, label: "Batch size" },
  n_neighbors: { type: "int", min: 2, max: 100, label: "Neighbors" },
  seed: { type: "int", min: 0, max: 2 ** 32 - 1, label: "Seed" },
};

/** Fields that define the generated data: a change means new points. */
export const DATA_FIELDS = ["kind", "n_samples", "centers", "cluster_std", "noise", "data_seed"];

/** The chapter's figures. `then` is what happens after the settings are applied. */
export const PRESETS = {
  "four-blobs": {
    title: "Four blobs: k-means finds them",
    fields: { kind: "blobs", n_samples: 300, centers: 4, cluster_std: 0.6, data_seed: 0, method: "kmeans", n_clusters: 4, init: "k-means++", n_init: 10, seed: 0 },
    then: "run",
  },
  "em-steps": {
    title: "Expectation and maximization, one step at a time",
    fields: { kind: "blobs", n_samples: 300, centers: 4, cluster_std: 0.6, data_seed: 0, method: "kmeans", n_clusters: 4, init: "random", n_init: 1, seed: 2 },
    then: "step",
  },
  "bad-seed": {
    // The chapter's find_clusters(X, 4, rseed=0): random points as initial centers.
    title: "A bad seed: converged, but to a worse answer",
    fields: { kind: "blobs", n_samples: 300, centers: 4, cluster_std: 0.6, data_seed: 0, method: "kmeans", n_clusters: 4, init: "random", n_init: 1, seed: 0 },
    then: "step",
  },
  "many-blobs": {
    title: "Fifteen blobs: one k-means run often misses some; random swap finds them all",
    fields: { kind: "many", n_samples: 5000, centers: 15, noise: 0.5, data_seed: 0, method: "random_swap", n_clusters: 15, init: "k-means++", seed: 0 },
    then: "run",
  },
  "wrong-k": {
    title: "k = 6 on four blobs: k-means splits them anyway",
    fields: { kind: "blobs", n_samples: 300, centers: 4, cluster_std: 0.6, data_seed: 0, method: "kmeans", n_clusters: 6, init: "k-means++", n_init: 10, seed: 0 },
    then: "run",
  },
  "moons-kmeans": {
    title: "Moons: k-means draws a straight boundary",
    fields: { kind: "moons", n_samples: 200, noise: 0.05, data_seed: 0, method: "kmeans", n_clusters: 2, init: "k-means++", n_init: 10, seed: 0 },
    regions: true,
    then: "run",
  },
  "moons-spectral": {
    title: "Moons: spectral clustering follows the shapes",
    fields: { kind: "moons", n_samples: 200, noise: 0.05, data_seed: 0, method: "spectral", n_clusters: 2, n_neighbors: 10, seed: 0 },
    regions: false,
    then: "run",
  },
  "moons-side-by-side": {
    title: "Moons: k-means and spectral clustering side by side",
    fields: { kind: "moons", n_samples: 200, noise: 0.05, data_seed: 0, method: "kmeans", n_clusters: 2, init: "k-means++", n_init: 10, n_neighbors: 10, seed: 0 },
    then: "side-by-side",
  },
};
