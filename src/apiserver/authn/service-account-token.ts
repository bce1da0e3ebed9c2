/**
 * Service account tokens: RS256 JWTs signed with the cluster's service-account key, with the claims
 * kube-apiserver puts in them (iss, sub, aud, exp/iat/nbf, jti and the private `kubernetes.io` claim),
 * and the bearer-token authenticator that accepts them while the service account — and the pod,
 * secret or node the token is bound to — still exists with the same uid.
 */
import { createHash, createPrivateKey, createPublicKey, randomUUID } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { SignJWT, errors as joseErrors, exportJWK, jwtVerify } from 'jose';
import type { JWK, JWTPayload } from 'jose';
import type { StoredObject } from '../../apimachinery/meta.js';
import type { Req } from '../http/io.js';
import type { Authenticator, AuthnResult } from './chain.js';
import type { UserInfo } from './user.js';

export const DEFAULT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
/** The lifetime kubelet asks for; such pod-bound tokens are extended to a year but warn after this. */
export const WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS = 60 * 60 + 7;
export const EXTENDED_EXPIRATION_SECONDS = 365 * 24 * 60 * 60;
/** A pod deleted longer ago than this no longer backs its tokens (kube-apiserver's grace). */
const DELETED_OBJECT_GRACE_MS = 60_000;

export const SA_USER_PREFIX = 'system:serviceaccount:';
export const SA_GROUP = 'system:serviceaccounts';

export interface ObjectRef {
  name: string;
  uid: string;
}

/** The `kubernetes.io` private claim. */
export interface KubernetesClaim {
  namespace: string;
  serviceaccount: ObjectRef;
  pod?: ObjectRef;
  secret?: ObjectRef;
  node?: { name: string; uid?: string };
  warnafter?: number;
}

export interface ServiceAccountClaims extends JWTPayload {
  'kubernetes.io': KubernetesClaim;
}

export interface IssueRequest {
  namespace: string;
  serviceAccount: ObjectRef;
  audiences: string[];
  expirationSeconds: number;
  pod?: ObjectRef;
  secret?: ObjectRef;
  node?: { name: string; uid?: string };
  /** Set for extended pod tokens: the original lifetime, after which use is logged as stale. */
  warnAfterSeconds?: number;
  now?: Date;
}

export const serviceAccountUsername = (namespace: string, name: string) =>
  `${SA_USER_PREFIX}${namespace}:${name}`;

/** `system:serviceaccount:NS:NAME` → {namespace, name}; undefined for other user names. */
export function parseServiceAccountUsername(user: string): { namespace: string; name: string } | undefined {
  if (!user.startsWith(SA_USER_PREFIX)) return undefined;
  const parts = user.slice(SA_USER_PREFIX.length).split(':');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return undefined;
  return { namespace: parts[0], name: parts[1] };
}

export const serviceAccountGroups = (namespace: string) => [SA_GROUP, `${SA_GROUP}:${namespace}`];

/** Kubernetes' key id: the unpadded base64url SHA-256 of the public key's DER (SubjectPublicKeyInfo). */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64url');
}

export class TokenInvalid extends Error {
  override readonly name = 'TokenInvalid';
}

export class ServiceAccountTokens {
  readonly issuer: string;
  /** The API server's own audiences: tokens without an explicit audience get these. */
  readonly apiAudiences: string[];
  readonly keyId: string;
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;

  constructor(opts: { privateKeyPem: string; issuer?: string; apiAudiences?: string[] }) {
    this.privateKey = createPrivateKey(opts.privateKeyPem);
    this.publicKey = createPublicKey(this.privateKey);
    this.issuer = opts.issuer ?? DEFAULT_ISSUER;
    this.apiAudiences = opts.apiAudiences ?? [this.issuer];
    this.keyId = keyIdOf(this.publicKey);
  }

  async issue(r: IssueRequest): Promise<{ token: string; claims: ServiceAccountClaims }> {
    const now = Math.floor((r.now ?? new Date()).getTime() / 1000);
    const k8s: KubernetesClaim = { namespace: r.namespace, serviceaccount: r.serviceAccount };
    if (r.pod) k8s.pod = r.pod;
    if (r.secret) k8s.secret = r.secret;
    if (r.node) k8s.node = r.node;
    if (r.warnAfterSeconds !== undefined) k8s.warnafter = now + r.warnAfterSeconds;
    const claims: ServiceAccountClaims = {
      aud: r.audiences,
      exp: now + r.expirationSeconds,
      iat: now,
      iss: this.issuer,
      jti: randomUUID(),
      'kubernetes.io': k8s,
      nbf: now,
      sub: serviceAccountUsername(r.namespace, r.serviceAccount.name),
    };
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: this.keyId })
      .sign(this.privateKey);
    return { token, claims };
  }

  /** Whether a token claims to come from this issuer (others are left to other authenticators). */
  isOurs(token: string): boolean {
    const parts = token.split('.');
    if (parts.length !== 3) return false;
    try {
      const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { iss?: unknown };
      return payload.iss === this.issuer;
    } catch {
      return false;
    }
  }

  /**
   * Signature, issuer, time window and audience; throws TokenInvalid with Kubernetes' wording.
   * `audiences`: the token must name at least one of them.
   */
  async verify(token: string, audiences: string[], now?: Date): Promise<ServiceAccountClaims> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.publicKey, {
        algorithms: ['RS256'],
        issuer: this.issuer,
        ...(now ? { currentDate: now } : {}),
      }));
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw new TokenInvalid('service account token has expired');
      if (err instanceof joseErrors.JWTClaimValidationFailed && err.claim === 'nbf')
        throw new TokenInvalid('service account token is not valid yet');
      throw new TokenInvalid('invalid bearer token');
    }
    const tokenAuds = typeof payload.aud === 'string' ? [payload.aud] : (payload.aud ?? []);
    if (!tokenAuds.some((a) => audiences.includes(a)))
      throw new TokenInvalid(
        `token audiences ${goQuoteList(tokenAuds)} is invalid for the target audiences ${goQuoteList(audiences)}`,
      );
    const k8s = payload['kubernetes.io'] as Partial<KubernetesClaim> | undefined;
    if (!k8s?.namespace || !k8s.serviceaccount?.name || !k8s.serviceaccount.uid)
      throw new TokenInvalid('service account token claims are incomplete');
    return payload as ServiceAccountClaims;
  }

  /** The JSON Web Key Set clients verify these tokens with (/openid/v1/jwks). */
  async jwks(): Promise<{ keys: JWK[] }> {
    const jwk = await exportJWK(this.publicKey);
    return {
      keys: [
        { use: 'sig', kty: jwk.kty ?? 'RSA', kid: this.keyId, alg: 'RS256', n: jwk.n ?? '', e: jwk.e ?? '' },
      ],
    };
  }

  /** The OpenID provider metadata (/.well-known/openid-configuration), as kube-apiserver serves it. */
  openidConfiguration(): Record<string, unknown> {
    return {
      issuer: this.issuer,
      jwks_uri: `${this.issuer}/openid/v1/jwks`,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
    };
  }
}

/** Go's %q of a []string: `["a" "b"]`. */
const goQuoteList = (xs: string[]) => `[${xs.map((x) => JSON.stringify(x)).join(' ')}]`;

/** Reads an object the token refers to; undefined when it does not exist. */
export type ObjectGetter = (
  resource: 'serviceaccounts' | 'pods' | 'secrets' | 'nodes',
  namespace: string | undefined,
  name: string,
) => Promise<StoredObject | undefined>;

export interface TokenAuthentication {
  user: UserInfo;
  audiences: string[];
}

const deletedLongAgo = (obj: StoredObject, now: number) =>
  obj.metadata.deletionTimestamp !== undefined &&
  Date.parse(obj.metadata.deletionTimestamp) < now - DELETED_OBJECT_GRACE_MS;

/**
 * Authenticates a service account token: valid signature and claims, and the objects it names still
 * there with the uids it was issued for. Throws TokenInvalid otherwise.
 */
export async function authenticateServiceAccountToken(
  tokens: ServiceAccountTokens,
  get: ObjectGetter,
  token: string,
  audiences: string[] = tokens.apiAudiences,
): Promise<TokenAuthentication> {
  const claims = await tokens.verify(token, audiences);
  const k = claims['kubernetes.io'];
  const now = Date.now();
  const sa = await get('serviceaccounts', k.namespace, k.serviceaccount.name);
  if (!sa) throw new TokenInvalid(`serviceaccounts "${k.serviceaccount.name}" not found`);
  if (deletedLongAgo(sa, now)) throw new TokenInvalid('service account token has been invalidated');
  if (sa.metadata.uid !== k.serviceaccount.uid)
    throw new TokenInvalid(
      `service account UID (${sa.metadata.uid}) does not match claim (${k.serviceaccount.uid})`,
    );
  const extra: Record<string, string[]> = {};
  for (const [kind, resource, ref] of [
    ['pod', 'pods', k.pod],
    ['secret', 'secrets', k.secret],
  ] as const) {
    if (!ref) continue;
    const obj = await get(resource, k.namespace, ref.name);
    if (!obj) throw new TokenInvalid(`${resource} "${ref.name}" not found`);
    if (deletedLongAgo(obj, now)) throw new TokenInvalid('service account token has been invalidated');
    if (obj.metadata.uid !== ref.uid)
      throw new TokenInvalid(`${kind} UID (${obj.metadata.uid}) does not match claim (${ref.uid})`);
    if (kind === 'pod') {
      extra['authentication.kubernetes.io/pod-name'] = [ref.name];
      extra['authentication.kubernetes.io/pod-uid'] = [ref.uid];
    }
  }
  if (k.node) {
    // A node named by a pod-bound token is informative; a token bound to the node itself needs it.
    const node = await get('nodes', undefined, k.node.name);
    if (!k.pod && (!node || (k.node.uid && node.metadata.uid !== k.node.uid)))
      throw new TokenInvalid(`node "${k.node.name}" is gone or has a different UID`);
    extra['authentication.kubernetes.io/node-name'] = [k.node.name];
    if (k.node.uid) extra['authentication.kubernetes.io/node-uid'] = [k.node.uid];
  }
  if (claims.jti) extra['authentication.kubernetes.io/credential-id'] = [`JTI=${claims.jti}`];
  const tokenAuds = typeof claims.aud === 'string' ? [claims.aud] : (claims.aud ?? []);
  return {
    user: {
      name: serviceAccountUsername(k.namespace, k.serviceaccount.name),
      uid: k.serviceaccount.uid,
      groups: [...serviceAccountGroups(k.namespace), 'system:authenticated'],
      extra,
    },
    audiences: tokenAuds.filter((a) => audiences.includes(a)),
  };
}

export function bearerTokenOf(req: Req): string | undefined {
  const h = req.headers['authorization'];
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m?.[1];
}

/** The bearer-token authenticator of the authn chain: service account tokens are the tokens we know. */
export function serviceAccountTokenAuthenticator(
  tokens: ServiceAccountTokens,
  get: ObjectGetter,
): Authenticator {
  return {
    name: 'service-account-token',
    async authenticate(req: Req): Promise<AuthnResult> {
      const token = bearerTokenOf(req);
      if (token === undefined) return undefined;
      if (!tokens.isOurs(token)) return { error: 'invalid bearer token' };
      try {
        return { user: (await authenticateServiceAccountToken(tokens, get, token)).user };
      } catch (err) {
        if (err instanceof TokenInvalid) return { error: err.message };
        throw err;
      }
    },
  };
}
