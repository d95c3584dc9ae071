// Small metrics the page computes itself on labels it already holds.

/** Adjusted Rand index of two labelings (integers from 0), as scikit-learn defines it. */
export function adjustedRand(a, b) {
  const n = a.length;
  if (n !== b.length) throw new Error("labelings differ in length");
  const ka = Math.max(...a) + 1, kb = Math.max(...b) + 1;
  const table = new Float64Array(ka * kb);
  for (let i = 0; i < n; i++) table[a[i] * kb + b[i]] += 1;
  const comb2 = (x) => (x * (x - 1)) / 2;
  const rows = new Float64Array(ka), cols = new Float64Array(kb);
  let sumCells = 0;
  for (let i = 0; i < ka; i++) {
    for (let j = 0; j < kb; j++) {
      const v = table[i * kb + j];
      rows[i] += v;
      cols[j] += v;
      sumCells += comb2(v);
    }
  }
  const sumRows = rows.reduce((s, v) => s + comb2(v), 0);
  const sumCols = cols.reduce((s, v) => s + comb2(v), 0);
  const expected = (sumRows * sumCols) / comb2(n);
  const max = (sumRows + sumCols) / 2;
  if (max === expected) return 1; // both labelings trivial: identical partitions
  return (sumCells - expected) / (max - expected);
}
