/**
 * The API server: HTTPS with HTTP/2 and HTTP/1.1 (ALPN) on one port, every request through
 * authentication → authorization → (admission → validation → storage, in the handlers).
 */
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import * as E from '../apimachinery/errors.js';
import type { StoredObject } from '../apimachinery/meta.js';
import { builtinRegistry } from '../api/registry.js';
import type { ResourceRegistry } from '../api/registry.js';
import type { Store } from '../storage/store.js';
import type { Logger } from '../util/log.js';
import { AdmissionChain } from './admission/chain.js';
import { SYSTEM_NAMESPACES, namespaceLifecycle } from './admission/namespace-lifecycle.js';
import { AuthenticatorChain } from './authn/chain.js';
import { ANONYMOUS } from './authn/user.js';
import { x509Authenticator } from './authn/x509.js';
import { advertiseAddress } from './controlplane/advertise-address.js';
import { ServiceNetwork } from './controlplane/service-network.js';
import { AuthorizerChain, mastersAuthorizer, publicInfoAuthorizer } from './authz/chain.js';
import { Discovery } from './handlers/discovery.js';
import { prepareForCreate } from './handlers/object-lifecycle.js';
import { OpenApi } from './handlers/openapi.js';
import { handleResource } from './handlers/resources.js';
import { send, sendStatus, sendText } from './http/io.js';
import type { ProtobufDecoder, Req, Res } from './http/io.js';
import { ObjectStore } from './registry/object-store.js';
import { parseRequestInfo } from './request-info.js';

export const KUBERNETES_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0' };

export interface ApiServerOptions {
  store: Store;
  tls: { certPem: string; keyPem: string; caPem: string };
  port: number;
  bindAddress?: string;
  log: Logger;
  version?: string;
  protobuf?: ProtobufDecoder;
  /** Service network: cluster IP range (default 10.43.0.0/16), node port range (default 30000-32767). */
  serviceCIDR?: string;
  nodePortRange?: string;
  /** The address the `kubernetes` Service's endpoints name (default: derived from bindAddress). */
  advertiseAddress?: string;
}

export class ApiServer {
  readonly registry: ResourceRegistry = builtinRegistry();
  readonly objects: ObjectStore;
  private readonly server: http2.Http2SecureServer;
  private readonly authn = new AuthenticatorChain([x509Authenticator]);
  private readonly authz = new AuthorizerChain([publicInfoAuthorizer, mastersAuthorizer]);
  private readonly admission: AdmissionChain;
  private readonly discovery: Discovery;
  private readonly openapi: OpenApi;
  private readonly shutdown = new AbortController();
  private ready = false;
  private readonly sessions = new Set<http2.Http2Session>();
  readonly serviceNetwork: ServiceNetwork;

  constructor(private readonly opts: ApiServerOptions) {
    this.objects = new ObjectStore(opts.store);
    this.serviceNetwork = new ServiceNetwork(opts.store, this.objects, this.registry, {
      serviceCIDR: opts.serviceCIDR,
      nodePortRange: opts.nodePortRange,
      advertiseAddress: advertiseAddress(opts.advertiseAddress, opts.bindAddress ?? '0.0.0.0'),
      log: opts.log.child({ component: 'service-network' }),
    });
    this.admission = new AdmissionChain([namespaceLifecycle(this.registry)]);
    this.discovery = new Discovery(this.registry, () => `${opts.bindAddress ?? '127.0.0.1'}:${this.port}`);
    this.openapi = new OpenApi(this.registry);
    this.server = http2.createSecureServer({
      cert: opts.tls.certPem,
      key: opts.tls.keyPem,
      ca: opts.tls.caPem,
      allowHTTP1: true,
      requestCert: true,
      rejectUnauthorized: false,
    });
    this.server.on('request', (req: Req, res: Res) => void this.handle(req, res));
    this.server.on('session', (s) => {
      this.sessions.add(s);
      s.on('close', () => this.sessions.delete(s));
    });
  }

  get port(): number {
    return (this.server.address() as AddressInfo | null)?.port ?? this.opts.port;
  }

  async start(): Promise<void> {
    await this.serviceNetwork.prepare();
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port, this.opts.bindAddress ?? '0.0.0.0', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    await this.bootstrap();
    await this.serviceNetwork.start(() => this.port);
    this.ready = true;
    this.opts.log.info('API server ready', { port: this.port });
  }

  /** The namespaces that exist from the start. */
  private async bootstrap(): Promise<void> {
    const namespaces = this.registry.lookup('', 'v1', 'namespaces')!;
    for (const name of SYSTEM_NAMESPACES) {
      try {
        await this.objects.get(namespaces, undefined, name);
      } catch (err) {
        if (!E.isStatusError(err, 'NotFound')) throw err;
        const obj: StoredObject = prepareForCreate(
          namespaces,
          { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
          undefined,
        );
        await this.objects.create(namespaces, obj).catch((e: unknown) => {
          if (!E.isStatusError(e, 'AlreadyExists')) throw e;
        });
      }
    }
  }

  async stop(): Promise<void> {
    this.ready = false;
    this.shutdown.abort();
    await this.serviceNetwork.stop();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sessions) s.close();
    // HTTP/1.1 keep-alive connections do not close on their own.
    (this.server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
    await Promise.race([closed, new Promise((r) => setTimeout(r, 2000))]);
  }

  private async handle(req: Req, res: Res): Promise<void> {
    const started = process.hrtime.bigint();
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'https://localhost');
    } catch {
      sendStatus(res, E.badRequest('malformed URL'));
      return;
    }
    const info = parseRequestInfo(req.method ?? 'GET', url);
    try {
      const authn = await this.authn.authenticate(req);
      if (authn && 'error' in authn) throw E.unauthorized();
      const user = authn?.user ?? ANONYMOUS;
      await this.authz.authorize(user, info);
      if (info.isResourceRequest) {
        const def = this.registry.lookup(info.group, info.version, info.resource);
        if (!def)
          throw E.notFound({ group: info.group, resource: info.resource }, info.name || info.resource);
        await handleResource({
          req,
          res,
          url,
          info,
          def,
          user,
          objects: this.objects,
          admission: this.admission,
          protobuf: this.opts.protobuf,
          shutdown: this.shutdown.signal,
          hooks: this.serviceNetwork.hooksFor,
        });
        return;
      }
      this.handleNonResource(req, res, url);
    } catch (err) {
      const status = E.isStatusError(err)
        ? err
        : E.internalError(err instanceof Error ? err.message : String(err));
      if (status.code >= 500)
        this.opts.log.error('request failed', { method: req.method, path: url.pathname, err });
      sendStatus(res, status);
    } finally {
      this.opts.log.debug('request', {
        method: req.method,
        path: url.pathname,
        verb: info.verb,
        code: res.statusCode,
        ms: Number(process.hrtime.bigint() - started) / 1e6,
      });
    }
  }

  private handleNonResource(req: Req, res: Res, url: URL): void {
    const path = url.pathname;
    if (/^\/(healthz|livez|readyz)\/?$/.test(path)) {
      const which = path.replace(/\//g, '');
      const checks = [
        ['ping', true],
        ['etcd', true],
        ...(which === 'readyz' ? [['bootstrap-namespaces', this.ready]] : []),
      ] as [string, boolean][];
      const ok = checks.every(([, v]) => v);
      if (url.searchParams.has('verbose')) {
        const lines = checks.map(([n, v]) => `[${v ? '+' : '-'}]${n} ${v ? 'ok' : 'failed: not finished'}`);
        sendText(res, ok ? 200 : 500, `${lines.join('\n')}\n${which} check ${ok ? 'passed' : 'failed'}\n`);
      } else
        sendText(
          res,
          ok ? 200 : 500,
          ok ? 'ok' : `[-]bootstrap-namespaces failed: not finished\n${which} check failed`,
        );
      return;
    }
    if (path === '/version' || path === '/version/') {
      send(res, 200, {
        ...KUBERNETES_VERSION,
        gitVersion: `${KUBERNETES_VERSION.gitVersion}+k8ts-${this.opts.version ?? 'dev'}`,
        gitCommit: 'unknown',
        gitTreeState: 'clean',
        buildDate: '1970-01-01T00:00:00Z',
        goVersion: `node${process.versions.node}`,
        compiler: 'k8ts',
        platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
      });
      return;
    }
    if (this.discovery.serve(req, res, path)) return;
    if (this.openapi.serve(res, path)) return;
    throw new E.StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
  }
}
