/**
 * Content negotiation. Responses are JSON (or YAML when asked for); a protobuf Accept with a JSON
 * alternative gets JSON, as kubectl expects. `as=Table` and aggregated discovery are chosen strictly
 * from what the client offers, in its order of preference.
 */

export interface MediaRange {
  type: string;
  params: Record<string, string>;
  q: number;
}

export function parseAccept(header: string | undefined): MediaRange[] {
  if (!header) return [{ type: '*/*', params: {}, q: 1 }];
  return header
    .split(',')
    .map((part) => {
      const [type, ...rawParams] = part.split(';').map((s) => s.trim());
      const params: Record<string, string> = {};
      for (const p of rawParams) {
        const eq = p.indexOf('=');
        if (eq > 0) params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim();
      }
      const q = params['q'] === undefined ? 1 : Number(params['q']);
      delete params['q'];
      return { type: (type ?? '').toLowerCase(), params, q: Number.isNaN(q) ? 1 : q };
    })
    .filter((m) => m.type && m.q > 0)
    .sort((a, b) => b.q - a.q);
}

export type ResponseFormat =
  | { kind: 'object'; contentType: 'application/json' | 'application/yaml' }
  | { kind: 'table'; version: 'v1' | 'v1beta1'; contentType: string };

const isJsonLike = (t: string) => t === 'application/json' || t === '*/*' || t === 'application/*';

/** For object and list responses: Table when asked for, else JSON or YAML; undefined: nothing acceptable. */
export function chooseFormat(accept: string | undefined): ResponseFormat | undefined {
  for (const m of parseAccept(accept)) {
    if (m.params['as'] === 'Table' && m.type === 'application/json') {
      const g = m.params['g'];
      const v = m.params['v'];
      if (g === 'meta.k8s.io' && (v === 'v1' || v === 'v1beta1'))
        return { kind: 'table', version: v, contentType: `application/json;as=Table;v=${v};g=meta.k8s.io` };
      continue;
    }
    if (m.params['as']) continue;
    if (isJsonLike(m.type)) return { kind: 'object', contentType: 'application/json' };
    if (m.type === 'application/yaml') return { kind: 'object', contentType: 'application/yaml' };
    // Protobuf responses are not produced; a client that offers JSON next gets JSON.
  }
  return undefined;
}

export type DiscoveryFormat = 'v2' | 'v2beta1' | 'legacy';

export function chooseDiscoveryFormat(accept: string | undefined): DiscoveryFormat | undefined {
  for (const m of parseAccept(accept)) {
    if (
      m.params['as'] === 'APIGroupDiscoveryList' &&
      m.type === 'application/json' &&
      m.params['g'] === 'apidiscovery.k8s.io'
    ) {
      if (m.params['v'] === 'v2') return 'v2';
      if (m.params['v'] === 'v2beta1') return 'v2beta1';
      continue;
    }
    if (m.params['as']) continue;
    if (
      isJsonLike(m.type) ||
      m.type === 'application/yaml' ||
      m.type === 'application/vnd.kubernetes.protobuf'
    )
      return 'legacy';
  }
  return undefined;
}
