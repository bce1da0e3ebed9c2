/**
 * /openapi/v3 (the index and one document per group-version) and /openapi/v2 (JSON, or gnostic
 * protobuf for kubectl 1.27/1.28), served as kube-openapi serves them: documents are built on first
 * request and kept only as serialized bytes; each carries an ETag (upper-case hex SHA-512); a v3
 * request whose `?hash=` matches is cacheable forever (`Cache-Control: public, immutable`, Expires a
 * year out), one whose hash is stale is redirected (301) to the current URL; If-None-Match gives 304.
 */
import { createHash } from 'node:crypto';
import type { ResourceRegistry } from '../../api/registry.js';
import { logger } from '../../util/log.js';
import type { Req, Res } from '../http/io.js';
import { buildV2Document, buildV3Document } from '../openapi/documents.js';
import { encodeGnosticV2 } from '../openapi/gnostic-v2.js';

interface Served {
  body: Buffer;
  etag: string;
}

const V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
const V2_PROTOBUF_SUBTYPES = [
  'com.github.proto-openapi.spec.v2@v1.0+protobuf',
  'com.github.proto-openapi.spec.v2.v1.0+protobuf',
];

const etagOf = (body: Buffer) => createHash('sha512').update(body).digest('hex').toUpperCase();
const served = (text: string | Uint8Array): Served => {
  const body = Buffer.from(text);
  return { body, etag: etagOf(body) };
};

/** The Accept header's media ranges in preference order (q=0 dropped), as `type/subtype` pairs. */
function acceptRanges(header: string | undefined): [string, string][] {
  return (header || '*/*')
    .split(',')
    .map((clause, i) => {
      const [range = '', ...params] = clause.split(';').map((s) => s.trim());
      const qParam = params.find((p) => p.startsWith('q='));
      const [type = '', subtype = ''] = range.toLowerCase().split('/');
      return { type, subtype, q: qParam ? Number(qParam.slice(2)) : 1, i };
    })
    .filter((c) => c.type && c.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i)
    .map((c) => [c.type, c.subtype]);
}

const matches = ([type, subtype]: [string, string], want: string) => {
  const [t, s] = want.split('/') as [string, string];
  return (type === '*' || type === t) && (subtype === '*' || subtype === s);
};

export class OpenApi {
  private readonly v3 = new Map<string, Served>();
  private v3Index: Served | undefined;
  private v2Json: Served | undefined;
  private v2Proto: Buffer | undefined;
  private readonly lastModified = new Date().toUTCString();
  private readonly logger = logger('openapi');

  constructor(
    private readonly registry: ResourceRegistry,
    private readonly kubernetesVersion: string,
  ) {}

  /** `api/v1`, `apis/apps/v1`, ... for every group-version the registry serves. */
  private groupVersions(): Map<string, { group: string; version: string }> {
    const out = new Map<string, { group: string; version: string }>();
    for (const g of this.registry.groups())
      for (const version of g.versions)
        out.set(g.name ? `apis/${g.name}/${version}` : `api/${version}`, { group: g.name, version });
    return out;
  }

  private groupVersionDoc(key: string): Served | undefined {
    const cached = this.v3.get(key);
    if (cached) return cached;
    const gv = this.groupVersions().get(key);
    if (!gv) return undefined;
    const started = process.hrtime.bigint();
    const doc = served(
      JSON.stringify(buildV3Document(this.registry, gv.group, gv.version, this.kubernetesVersion)),
    );
    this.v3.set(key, doc);
    this.logger.debug('built OpenAPI v3 document', {
      groupVersion: key,
      bytes: doc.body.length,
      ms: Number(process.hrtime.bigint() - started) / 1e6,
    });
    return doc;
  }

  private index(): Served {
    if (!this.v3Index) {
      const paths: Record<string, { serverRelativeURL: string }> = {};
      for (const key of this.groupVersions().keys())
        paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${this.groupVersionDoc(key)!.etag}` };
      this.v3Index = served(JSON.stringify({ paths }));
    }
    return this.v3Index;
  }

  private v2(): Served {
    if (!this.v2Json) {
      const started = process.hrtime.bigint();
      this.v2Json = served(JSON.stringify(buildV2Document(this.registry, this.kubernetesVersion)));
      this.logger.debug('built OpenAPI v2 document', {
        bytes: this.v2Json.body.length,
        ms: Number(process.hrtime.bigint() - started) / 1e6,
      });
    }
    return this.v2Json;
  }

  private v2Protobuf(): Buffer {
    this.v2Proto ??= Buffer.from(
      encodeGnosticV2(JSON.parse(this.v2().body.toString('utf8')) as Record<string, unknown>),
    );
    return this.v2Proto;
  }

  /** Writes the body, or 304 when If-None-Match names the ETag (http.ServeContent's behaviour). */
  private write(req: Req, res: Res, contentType: string, doc: Served, body = doc.body): void {
    res.setHeader('etag', `"${doc.etag}"`);
    res.setHeader('last-modified', this.lastModified);
    const inm = req.headers['if-none-match'];
    if (
      inm &&
      inm.split(',').some((t) => t.trim().replace(/^W\//, '') === `"${doc.etag}"` || t.trim() === '*')
    ) {
      res.writeHead(304);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': contentType, 'content-length': String(body.length) });
    res.end(body);
  }

  /** Serves /openapi/v2, /openapi/v3 and /openapi/v3/<gv>; false for any other path. */
  serve(req: Req, res: Res, url: URL): boolean {
    const path = url.pathname.replace(/\/+$/, '');
    if (path === '/openapi/v3') {
      this.write(req, res, 'application/json', this.index());
      return true;
    }
    if (path === '/openapi/v2') {
      this.serveV2(req, res);
      return true;
    }
    if (!path.startsWith('/openapi/v3/')) return false;
    const key = path.slice('/openapi/v3/'.length);
    if (!this.groupVersions().has(key)) return false;
    res.setHeader('vary', 'Accept');
    if (!acceptRanges(req.headers['accept']).some((r) => matches(r, 'application/json'))) {
      res.writeHead(406);
      res.end();
      return true;
    }
    const doc = this.groupVersionDoc(key)!;
    const hash = url.searchParams.get('hash');
    if (hash) {
      if (hash !== doc.etag) {
        res.writeHead(301, { location: `/openapi/v3/${key}?hash=${doc.etag}` });
        res.end();
        return true;
      }
      res.setHeader('cache-control', 'public, immutable');
      res.setHeader('expires', new Date(Date.now() + 365 * 24 * 3600 * 1000).toUTCString());
    }
    this.write(req, res, 'application/json', doc);
    return true;
  }

  private serveV2(req: Req, res: Res): void {
    res.setHeader('vary', 'Accept');
    for (const range of acceptRanges(req.headers['accept'])) {
      if (matches(range, 'application/json')) {
        this.write(req, res, 'application/json', this.v2());
        return;
      }
      if (range[0] === 'application' && V2_PROTOBUF_SUBTYPES.includes(range[1])) {
        // The protobuf form carries the JSON form's ETag, as kube-openapi's does.
        this.write(req, res, V2_PROTOBUF, this.v2(), this.v2Protobuf());
        return;
      }
    }
    res.writeHead(406);
    res.end();
  }
}
