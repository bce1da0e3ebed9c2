/** IntOrString fields such as maxUnavailable and maxSurge: a count, or a percentage of a total. */

/**
 * The count `v` stands for out of `total`: an integer as it is, `"25%"` as that share of `total`
 * rounded up or down; undefined for anything else (an invalid value, as apimachinery's
 * GetScaledValueFromIntOrPercent errors).
 */
export function scaledValue(
  v: number | string | undefined,
  total: number,
  roundUp: boolean,
): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return undefined;
  const m = /^(\d+)%$/.exec(v);
  if (!m) return undefined;
  const share = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(share) : Math.floor(share);
}
