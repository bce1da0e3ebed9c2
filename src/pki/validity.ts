/** How long certificates live, and when they are replaced. */
export const DAY_MS = 24 * 60 * 60 * 1000;

export const CA_VALIDITY_DAYS = 3650;
/** Below this much remaining CA lifetime, every start logs a warning (the CA is never rotated automatically). */
export const CA_WARN_DAYS = 365;

export const LEAF_VALIDITY_DAYS = 365;
/** Leaf certificates with less than this left are re-issued on start. */
export const LEAF_RENEW_DAYS = 90;

/** notBefore is set this far in the past so that a peer whose clock runs slightly behind accepts new certs. */
export const BACKDATE_MS = 5 * 60 * 1000;

export function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * DAY_MS);
}

export function daysBetween(from: Date, to: Date): number {
  return (to.getTime() - from.getTime()) / DAY_MS;
}

/** The validity window of a leaf certificate issued at `now`, clipped so it never outlives its CA. */
export function leafValidity(
  now: Date,
  validDays: number,
  caNotAfter: Date,
): { notBefore: Date; notAfter: Date } {
  const wanted = addDays(now, validDays);
  return {
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: wanted.getTime() > caNotAfter.getTime() ? caNotAfter : wanted,
  };
}
