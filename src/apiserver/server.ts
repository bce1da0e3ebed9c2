/**
 * The API server: HTTPS with HTTP/2 and HTTP/1.1 (ALPN) on one port, every request through
 * authentication → authorization → (admission → validation → storage, in the handlers).
 */
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import * as E from '../apimachinery/errors.js';
import type { KubeObject, StoredObject } from '../apimachinery/meta.js';
import { builtinRegistry } from '../api/registry.js';
import type { ResourceRegistry } from '../api/registry.js';
import type { ResourceDefinition } from '../api/types.js';
import type { Store } from '../storage/store.js';
import type { Logger } from '../util/log.js';
import { AdmissionChain } from './admission/chain.js';
import { defaultTolerationSeconds } from './admission/default-toleration-seconds.js';
import { AdmissionObjectCache } from './admission/object-cache.js';
import { priorityAdmission } from './admission/priority.js';
import { resourceQuotaAdmission } from './admission/resource-quota.js';
import { SYSTEM_NAMESPACES, namespaceLifecycle } from './admission/namespace-lifecycle.js';
import { AuthenticatorChain } from './authn/chain.js';
import type { Authenticator } from './authn/chain.js';
import { impersonatedUser } from './authn/impersonation.js';
import { ServiceAccountTokens, serviceAccountTokenAuthenticator } from './authn/service-account-token.js';
import type { ObjectGetter } from './authn/service-account-token.js';
import { ANONYMOUS } from './authn/user.js';
import { x509Authenticator } from './authn/x509.js';
import {
  AuthorizerChain,
  controlPlaneAuthorizer,
  mastersAuthorizer,
  nodesAuthorizer,
  publicInfoAuthorizer,
} from './authz/chain.js';
import { ComponentHealth, storeProbe } from './health/component-status.js';
import { advertiseAddress } from './controlplane/advertise-address.js';
import { ServiceNetwork } from './controlplane/service-network.js';
import { Discovery } from './handlers/discovery.js';
import { prepareForCreate } from './handlers/object-lifecycle.js';
import { OpenApi } from './handlers/openapi.js';
import { handleResource } from './handlers/resources.js';
import { actionSubresource, handleVirtualResource } from './handlers/virtual.js';
import type { VirtualServices } from './handlers/virtual.js';
import { send, sendStatus, sendText } from './http/io.js';
import type { ProtobufDecoder, Req, Res } from './http/io.js';
import { instrumentStore } from './metrics/instrumented-store.js';
import { ApiServerMetrics } from './metrics/metrics.js';
import { ObjectStore } from './registry/object-store.js';
import { parseRequestInfo } from './request-info.js';
import { SYSTEM_PRIORITY_CLASSES } from './system-priority-classes.js';

export const KUBERNETES_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0' };

export interface ApiServerOptions {
  store: Store;
  tls: { certPem: string; keyPem: string; caPem: string };
  port: number;
  bindAddress?: string;
  log: Logger;
  version?: string;
  protobuf?: ProtobufDecoder;
  /** The service-account signing key (PKCS#8 PEM): enables TokenRequest and service account tokens. */
  serviceAccountKeyPem?: string;
  /** The `iss` of service account tokens; Kubernetes' default when absent. */
  serviceAccountIssuer?: string;
  /** Service network: cluster IP range (default 10.43.0.0/16), node port range (default 30000-32767). */
  serviceCIDR?: string;
  nodePortRange?: string;
  /** The address the `kubernetes` Service's endpoints name (default: derived from bindAddress). */
  advertiseAddress?: string;
}

/** HTTP/2 streams one client connection may have open at once. */
export const MAX_STREAMS_PER_CONNECTION = 250;

export class ApiServer {
  readonly registry: ResourceRegistry = builtinRegistry();
  readonly objects: ObjectStore;
  readonly metrics = new ApiServerMetrics();
  private readonly server: http2.Http2SecureServer;
  private readonly authn: AuthenticatorChain;
  private readonly authz = new AuthorizerChain([
    publicInfoAuthorizer,
    mastersAuthorizer,
    controlPlaneAuthorizer,
    nodesAuthorizer,
  ]);
  /** Component health for ComponentStatus; later components register their probes here. */
  readonly health = new ComponentHealth();
  private readonly tokens?: ServiceAccountTokens;
  private readonly virtual: VirtualServices;
  private readonly admission: AdmissionChain;
  private readonly namespaceCache: AdmissionObjectCache;
  private readonly priorityClassCache: AdmissionObjectCache;
  private readonly quotaCache: AdmissionObjectCache;
  private readonly discovery: Discovery;
  private readonly openapi: OpenApi;
  private readonly shutdown = new AbortController();
  private ready = false;
  private readonly sessions = new Set<http2.Http2Session>();
  readonly serviceNetwork: ServiceNetwork;

  constructor(private readonly opts: ApiServerOptions) {
    const store = instrumentStore(opts.store, this.metrics);
    this.objects = new ObjectStore(store);
    this.serviceNetwork = new ServiceNetwork(store, this.objects, this.registry, {
      serviceCIDR: opts.serviceCIDR,
      nodePortRange: opts.nodePortRange,
      advertiseAddress: advertiseAddress(opts.advertiseAddress, opts.bindAddress ?? '0.0.0.0'),
      log: opts.log.child({ component: 'service-network' }),
    });
    const authenticators: Authenticator[] = [x509Authenticator];
    if (opts.serviceAccountKeyPem) {
      this.tokens = new ServiceAccountTokens({
        privateKeyPem: opts.serviceAccountKeyPem,
        ...(opts.serviceAccountIssuer ? { issuer: opts.serviceAccountIssuer } : {}),
      });
      authenticators.push(serviceAccountTokenAuthenticator(this.tokens, this.getObject));
    }
    this.authn = new AuthenticatorChain(authenticators);
    this.health.register('etcd-0', storeProbe(opts.store));
    this.virtual = {
      registry: this.registry,
      authz: this.authz,
      health: this.health,
      getObject: this.getObject,
      ...(this.tokens ? { tokens: this.tokens } : {}),
    };
    this.namespaceCache = new AdmissionObjectCache(
      this.objects,
      this.registry.lookup('', 'v1', 'namespaces')!,
      opts.log,
    );
    this.priorityClassCache = new AdmissionObjectCache(
      this.objects,
      this.registry.lookup('scheduling.k8s.io', 'v1', 'priorityclasses')!,
      opts.log,
    );
    const quotas = this.registry.lookup('', 'v1', 'resourcequotas')!;
    this.quotaCache = new AdmissionObjectCache(this.objects, quotas, opts.log);
    this.admission = new AdmissionChain([
      namespaceLifecycle(this.registry, (name) => this.namespaceCache.get(name)),
      // kube-apiserver's order: Priority before DefaultTolerationSeconds.
      priorityAdmission(this.priorityClassCache),
      defaultTolerationSeconds(),
      // Last, as in kube-apiserver: it counts the object as the plugins before it left it.
      resourceQuotaAdmission({ list: (namespace) => this.quotaCache.list(namespace) }, this.objects, quotas),
    ]);
    this.discovery = new Discovery(this.registry, () => `${opts.bindAddress ?? '127.0.0.1'}:${this.port}`);
    this.openapi = new OpenApi(this.registry, KUBERNETES_VERSION.gitVersion);
    this.server = http2.createSecureServer({
      cert: opts.tls.certPem,
      key: opts.tls.keyPem,
      ca: opts.tls.caPem,
      allowHTTP1: true,
      requestCert: true,
      rejectUnauthorized: false,
      // As kube-apiserver (Go's http2 server): 250 concurrent streams per connection; clients queue
      // beyond that. A busy component keeps many bodies in flight on one connection, so the
      // per-session buffer is larger than Node's 10 MB default, past which streams are refused.
      settings: { maxConcurrentStreams: MAX_STREAMS_PER_CONNECTION },
      maxSessionMemory: 64,
    });
    this.server.on('request', (req: Req, res: Res) => void this.handle(req, res));
    this.server.on('session', (s) => {
      this.sessions.add(s);
      s.on('close', () => this.sessions.delete(s));
    });
  }

  /** A core/v1 object by resource and name; undefined when it does not exist. */
  private readonly getObject: ObjectGetter = async (resource, namespace, name) => {
    const def = this.registry.lookup('', 'v1', resource)!;
    try {
      return await this.objects.get(def, namespace, name);
    } catch (err) {
      if (E.isStatusError(err, 'NotFound')) return undefined;
      throw err;
    }
  };

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
    this.namespaceCache.start(this.shutdown.signal);
    this.priorityClassCache.start(this.shutdown.signal);
    this.quotaCache.start(this.shutdown.signal);
    this.ready = true;
    this.opts.log.info('API server ready', { port: this.port });
  }

  /** The namespaces and system PriorityClasses that exist from the start. */
  private async bootstrap(): Promise<void> {
    const namespaces = this.registry.lookup('', 'v1', 'namespaces')!;
    const priorityClasses = this.registry.lookup('scheduling.k8s.io', 'v1', 'priorityclasses')!;
    const wanted: [ResourceDefinition, KubeObject][] = [
      ...SYSTEM_NAMESPACES.map((name): [ResourceDefinition, KubeObject] => [
        namespaces,
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
      ]),
      ...SYSTEM_PRIORITY_CLASSES.map((o): [ResourceDefinition, KubeObject] => [priorityClasses, o]),
    ];
    for (const [def, body] of wanted) {
      try {
        await this.objects.get(def, undefined, body.metadata!.name!);
      } catch (err) {
        if (!E.isStatusError(err, 'NotFound')) throw err;
        const obj: StoredObject = prepareForCreate(def, structuredClone(body), undefined);
        await this.objects.create(def, obj).catch((e: unknown) => {
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
    const done = this.metrics.requestStarted(info);
    try {
      const authn = await this.authn.authenticate(req);
      if (authn && 'error' in authn) throw E.unauthorized();
      const user = await impersonatedUser(req, authn?.user ?? ANONYMOUS, this.authz);
      await this.authz.authorize(user, info);
      if (info.isResourceRequest) {
        const def = this.registry.lookup(info.group, info.version, info.resource);
        if (!def)
          throw E.notFound({ group: info.group, resource: info.resource }, info.name || info.resource);
        const ctx = {
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
          actionSubresource: actionSubresource(this.virtual),
          hooks: this.serviceNetwork.hooksFor,
        };
        await (def.virtual ? handleVirtualResource(ctx, this.virtual) : handleResource(ctx));
        return;
      }
      await this.handleNonResource(req, res, url);
    } catch (err) {
      const status = E.isStatusError(err)
        ? err
        : E.internalError(err instanceof Error ? err.message : String(err));
      if (status.code >= 500)
        this.opts.log.error('request failed', { method: req.method, path: url.pathname, err });
      sendStatus(res, status);
    } finally {
      done(res.statusCode);
      this.opts.log.debug('request', {
        method: req.method,
        path: url.pathname,
        verb: info.verb,
        code: res.statusCode,
        ms: Number(process.hrtime.bigint() - started) / 1e6,
      });
    }
  }

  private async handleNonResource(req: Req, res: Res, url: URL): Promise<void> {
    const path = url.pathname;
    if (this.tokens && /^\/\.well-known\/openid-configuration\/?$/.test(path)) {
      send(res, 200, this.tokens.openidConfiguration());
      return;
    }
    if (this.tokens && /^\/openid\/v1\/jwks\/?$/.test(path)) {
      send(res, 200, await this.tokens.jwks(), 'application/jwk-set+json');
      return;
    }
    const health = /^\/(healthz|livez|readyz)\/?$/.exec(path);
    if (health) {
      await this.serveHealth(res, health[1]!, url);
      return;
    }
    if (path === '/metrics') {
      const { contentType, body } = await this.metrics.exposition();
      res.writeHead(200, { 'content-type': contentType });
      res.end(body);
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
    if (this.openapi.serve(req, res, url)) return;
    throw new E.StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
  }

  /**
   * /healthz, /livez and /readyz as kube-apiserver answers them: `ok`, or one `[+]name ok` /
   * `[-]name failed: reason` line per check with `?verbose` (or whenever a check fails).
   */
  private async serveHealth(res: Res, which: string, url: URL): Promise<void> {
    const checks: [string, string | undefined][] = [
      ['ping', undefined],
      ['etcd', await this.probeStorage()],
    ];
    if (which === 'readyz') checks.push(['bootstrap-namespaces', this.ready ? undefined : 'not finished']);
    const excluded = new Set(url.searchParams.getAll('exclude'));
    const counted = checks.filter(([name]) => !excluded.has(name));
    const ok = counted.every(([, failure]) => failure === undefined);
    for (const [name, failure] of counted)
      if (failure !== undefined)
        this.opts.log.warn(`${which} check failed`, { check: name, reason: failure });
    if (ok && !url.searchParams.has('verbose')) {
      sendText(res, 200, 'ok');
      return;
    }
    const lines = checks.map(([name, failure]) =>
      excluded.has(name)
        ? `[+]${name} excluded: ok`
        : failure === undefined
          ? `[+]${name} ok`
          : `[-]${name} failed: reason withheld`,
    );
    sendText(res, ok ? 200 : 500, `${lines.join('\n')}\n${which} check ${ok ? 'passed' : 'failed'}\n`);
  }

  /** The storage probe with readyz's deadline: a failure message, or undefined when healthy. */
  private async probeStorage(): Promise<string | undefined> {
    const c = await this.health.condition('etcd-0', 2_000);
    return c.status === 'True' ? undefined : (c.error ?? 'unhealthy');
  }
}
