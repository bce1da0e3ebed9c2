/** Reading request bodies and writing responses, with Kubernetes' limits and Status errors. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import * as E from '../../apimachinery/errors.js';
import type { StatusError } from '../../apimachinery/errors.js';

export type Req = IncomingMessage | Http2ServerRequest;
export type Res = ServerResponse | Http2ServerResponse;

/** kube-apiserver's limit for a request body. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export async function readBody(req: Req): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) throw E.tooLarge(`limit is ${MAX_BODY_BYTES}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw E.tooLarge(`limit is ${MAX_BODY_BYTES}`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The media type of a Content-Type header, lowercased, without parameters. */
export function mediaType(req: Req): string {
  return String(req.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
}

export type ProtobufDecoder = (body: Buffer) => {
  apiVersion: string;
  kind: string;
  object: Record<string, unknown>;
};

/** Decodes an object body: JSON (also when no Content-Type is sent, as kubectl scale does), YAML or protobuf. */
export function decodeObject(body: Buffer, type: string, protobuf?: ProtobufDecoder): unknown {
  if (type === 'application/vnd.kubernetes.protobuf') {
    if (!protobuf) throw E.unsupportedMediaType();
    return protobuf(body).object;
  }
  const text = body.toString('utf8');
  if (type === 'application/yaml' || type === 'application/apply-patch+yaml') {
    try {
      return parseYaml(text) as unknown;
    } catch (err) {
      throw E.badRequest(`error converting YAML to JSON: ${(err as Error).message}`);
    }
  }
  if (type === '' || type === 'application/json' || type.endsWith('+json') || type === '*/*') {
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw E.badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
    }
  }
  throw E.unsupportedMediaType();
}

export function send(
  res: Res,
  code: number,
  body: unknown,
  contentType = 'application/json',
  headers: Record<string, string> = {},
): void {
  const text = contentType === 'application/yaml' ? toYaml(body) : JSON.stringify(body);
  res.writeHead(code, { 'content-type': contentType, 'cache-control': 'no-cache, private', ...headers });
  res.end(text);
}

export function sendStatus(res: Res, err: StatusError): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  send(res, err.code, err.toStatus());
}

export function sendText(res: Res, code: number, text: string): void {
  res.writeHead(code, {
    'content-type': 'text/plain; charset=utf-8',
    'cache-control': 'no-cache, private',
    'x-content-type-options': 'nosniff',
  });
  res.end(text);
}

/** Writes a chunk of a streamed response (watch, logs) on HTTP/1.1 or HTTP/2 alike. */
/** Writes part of a streamed body; false when the client is behind and the caller should await `drained`. */
export function writeChunk(res: Res, chunk: string): boolean {
  return (res as { write(chunk: string): boolean }).write(chunk);
}

/**
 * Resolves once a response the client is not reading fast enough can take more data, or is gone.
 * Without this, a burst of writes (a watch catching up on a backlog) piles up in the HTTP/2 session,
 * and past its memory limit the server refuses every new stream on that connection
 * (ENHANCE_YOUR_CALM), not just the slow one.
 */
export function drained(res: Res, signal?: AbortSignal): Promise<void> {
  const r = res;
  if (r.destroyed || r.writableEnded || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      r.off('drain', done);
      r.off('close', done);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    r.on('drain', done);
    r.on('close', done);
    signal?.addEventListener('abort', done);
  });
}
