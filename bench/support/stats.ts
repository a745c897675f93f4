/** How a figure varied over the rounds of one run. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export const round = (n: number, digits = 2): number => Number(n.toFixed(digits));

/** Nearest-rank percentile of numbers sorted ascending. */
export function percentile(sorted: readonly number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** Median (the mean of the middle two for an even count), min and max; undefined for no values. */
export function spread(values: readonly number[], digits = 3): Spread | undefined {
  const finite = values.filter((v) => Number.isFinite(v)).sort((x, y) => x - y);
  if (finite.length === 0) return undefined;
  const mid = Math.floor(finite.length / 2);
  const median = finite.length % 2 === 1 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
  return { median: round(median, digits), min: round(finite[0]!, digits), max: round(finite.at(-1)!, digits) };
}
