/**
 * IntOrString fields that hold a count or a percentage (`maxUnavailable: 25%`, `minAvailable: 2`),
 * scaled against a total as apimachinery's GetScaledValueFromIntOrPercent does, with its error texts.
 */
export type IntOrPercent = number | string;

export function scaledValueFromIntOrPercent(
  value: IntOrPercent | undefined | null,
  total: number,
  roundUp: boolean,
): number {
  if (value === undefined || value === null) throw new Error('nil value for IntOrString');
  if (typeof value === 'number') return Math.trunc(value);
  if (!value.endsWith('%'))
    throw new Error('invalid value for IntOrString: invalid type: string is not a percentage');
  const digits = value.slice(0, -1);
  if (!/^[+-]?\d+$/.test(digits))
    throw new Error(
      `invalid value for IntOrString: invalid value ${JSON.stringify(value)}: strconv.Atoi: parsing ${JSON.stringify(digits)}: invalid syntax`,
    );
  const scaled = (Number(digits) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}
