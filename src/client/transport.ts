/**
 * HTTPS to the API server over one multiplexed HTTP/2 connection, re-dialled when it drops. Every
 * k8ts component talks to the API server through this, with its own client certificate or token.
 */
import http2 from 'node:http2';
import type { ClientConfig } from './config.js';

export interface HttpResponse {
  status: number;
  headers: http2.IncomingHttpHeaders;
  body: Buffer;
}

export interface RequestOptions {
  method: string;
  /** Path and query, e.g. `/api/v1/namespaces/default/pods?limit=500`. */
  path: string;
  body?: Buffer | string;
  contentType?: string;
  accept?: string;
  signal?: AbortSignal;
}

/** A response whose body is read as it arrives (watches). */
export interface StreamingResponse {
  status: number;
  headers: http2.IncomingHttpHeaders;
  /** The body, chunk by chunk; ends when the server ends the response or the request is aborted. */
  chunks: AsyncIterable<Buffer>;
  close(): void;
}

/** Streams assumed open-able before the server's SETTINGS arrive (RFC 9113 recommends at least 100). */
const DEFAULT_MAX_STREAMS = 100;
/** A client never keeps more than this many streams on one connection, whatever the server allows. */
const DEFAULT_MAX_STREAMS_CAP = 1000;

export class Transport {
  private session: http2.ClientHttp2Session | undefined;

  constructor(private readonly config: ClientConfig) {}

  private connect(): http2.ClientHttp2Session {
    if (this.session && !this.session.closed && !this.session.destroyed) return this.session;
    const c = this.config;
    const session = http2.connect(c.server, {
      ca: c.caPem,
      cert: c.certPem,
      key: c.keyPem,
      servername: c.tlsServerName,
    });
    // Errors surface on the requests that use the session; the session itself is simply dropped.
    session.on('error', () => undefined);
    session.on('goaway', () => session.close());
    session.on('close', () => {
      if (this.session === session) this.session = undefined;
    });
    // An idle connection must not keep the process alive; one with requests in flight must.
    session.unref();
    this.session = session;
    this.inFlight.set(session, 0);
    return session;
  }

  /** Open streams per session: a session is ref'd while it has any. */
  private readonly inFlight = new WeakMap<http2.ClientHttp2Session, number>();
  /** Requests waiting for a stream slot, in arrival order. */
  private readonly waiting: (() => void)[] = [];

  /**
   * A session with a free stream: past the server's SETTINGS_MAX_CONCURRENT_STREAMS a request waits
   * for one to close (as Go's http2 transport does) instead of being refused.
   */
  private async sessionWithSlot(): Promise<http2.ClientHttp2Session> {
    for (;;) {
      const session = this.connect();
      const limit = session.remoteSettings?.maxConcurrentStreams ?? DEFAULT_MAX_STREAMS;
      if ((this.inFlight.get(session) ?? 0) < Math.min(limit, DEFAULT_MAX_STREAMS_CAP)) return session;
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private async open(opts: RequestOptions): Promise<http2.ClientHttp2Stream> {
    const headers: http2.OutgoingHttpHeaders = {
      ':method': opts.method,
      ':path': opts.path,
      accept: opts.accept ?? 'application/json',
      'user-agent': this.config.userAgent,
    };
    if (opts.contentType) headers['content-type'] = opts.contentType;
    if (this.config.token) headers['authorization'] = `Bearer ${this.config.token}`;
    const session = await this.sessionWithSlot();
    const stream = session.request(headers, {
      endStream: opts.body === undefined,
      signal: opts.signal,
    });
    const open = this.inFlight.get(session) ?? 0;
    this.inFlight.set(session, open + 1);
    if (open === 0) session.ref();
    stream.once('close', () => {
      const left = (this.inFlight.get(session) ?? 1) - 1;
      this.inFlight.set(session, left);
      if (left === 0 && !session.destroyed) session.unref();
      this.waiting.shift()?.();
    });
    if (opts.body !== undefined) stream.end(opts.body);
    return stream;
  }

  async request(opts: RequestOptions): Promise<HttpResponse> {
    const stream = await this.open(opts);
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let status = 0;
      let headers: http2.IncomingHttpHeaders = {};
      stream.on('response', (h) => {
        status = Number(h[':status']);
        headers = h;
      });
      stream.on('data', (c: Buffer) => chunks.push(c));
      let ended = false;
      stream.on('end', () => {
        ended = true;
        // A stream reset before the headers (the connection going away, say) ends without a status.
        if (!status) reject(new Error(`the HTTP/2 stream ended without a response (code ${stream.rstCode})`));
        else resolve({ status, headers, body: Buffer.concat(chunks) });
      });
      stream.on('error', reject);
      stream.on('close', () => {
        if (!ended)
          reject(new Error(`the HTTP/2 stream closed before the response ended (code ${stream.rstCode})`));
      });
    });
  }

  async stream(opts: RequestOptions): Promise<StreamingResponse> {
    const stream = await this.open(opts);
    return new Promise((resolve, reject) => {
      stream.once('error', reject);
      stream.once('response', (h) => {
        stream.off('error', reject);
        // Errors after the headers end the iteration like a normal end of stream.
        stream.on('error', () => stream.destroy());
        resolve({
          status: Number(h[':status']),
          headers: h,
          chunks: stream as AsyncIterable<Buffer>,
          close: () => stream.close(http2.constants.NGHTTP2_CANCEL),
        });
      });
    });
  }

  close(): void {
    this.session?.close();
    this.session = undefined;
  }
}
