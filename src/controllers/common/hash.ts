/**
 * Template hashes: the `pod-template-hash` label of ReplicaSets and the names of ControllerRevisions.
 * FNV-32a over the object's canonical JSON (sorted keys) plus the collision count, rendered in
 * Kubernetes' "safe" alphabet (no vowels, no confusable characters) so it never spells words.
 */
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** JSON with object keys sorted and undefined members left out: equal for semantically equal values. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

export function fnv32a(data: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(data)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Each character of the decimal hash mapped onto the safe alphabet (Kubernetes' SafeEncodeString). */
export function safeEncode(s: string): string {
  return [...s].map((c) => SAFE_ALPHABET[c.charCodeAt(0) % SAFE_ALPHABET.length]).join('');
}

/** The hash of `obj` (a pod template, a revision's data) with an optional collision count. */
export function computeHash(obj: unknown, collisionCount?: number): string {
  let data = canonicalJson(obj);
  if (collisionCount !== undefined && collisionCount !== 0) data += String(collisionCount);
  return safeEncode(String(fnv32a(data)));
}
