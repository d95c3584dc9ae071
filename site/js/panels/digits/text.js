// Words and numbers of the Digits panel, in one place so every message says them alike:
// thousands separators, percentages, and "a" or "an" before a number as it is read aloud.

/** A count with thousands separators: 1797 -> "1,797". */
export const num = (x) => Math.round(x).toLocaleString("en-US");

/** A share 0..1 as a percentage with one decimal. */
export const pct = (x) => `${(100 * x).toFixed(1)}%`;

/** "s" when `n` is not 1. */
export const plural = (n) => (n === 1 ? "" : "s");

/**
 * The article before a whole number read aloud: "an" for 8, 11, 18, 80..89, 800..899,
 * 8,000, 11,000, 18,000, 80,000,... (eight, eleven, eighteen lead the spoken number),
 * "a" otherwise (a 1, a 7, a 100, a 1,800).
 */
export function article(n) {
  if (!Number.isFinite(n) || n < 0) return "a";
  const s = String(Math.trunc(n));
  if (s[0] === "8") return "an";
  const lead = s.slice(0, s.length % 3 || 3); // the group read before "thousand"/"million"
  return lead === "11" || lead === "18" ? "an" : "a";
}

/** The number with its article: withArticle(8) -> "an 8". */
export const withArticle = (n) => `${article(n)} ${num(n)}`;
