/**
 * x509 client certificates: the TLS layer verifies the chain against the cluster CA; the subject's CN is
 * the user name and each O is a group, as in Kubernetes.
 */
import type { TLSSocket } from 'node:tls';
import type { Req } from '../http/io.js';
import type { Authenticator, AuthnResult } from './chain.js';

function socketOf(req: Req): TLSSocket | undefined {
  const s = (req as { socket?: unknown }).socket as TLSSocket | undefined;
  return s && typeof s.getPeerCertificate === 'function' ? s : undefined;
}

/** The answer for each connection, reused by its later requests until the certificate expires. */
const perConnection = new WeakMap<object, { result: AuthnResult; validToMs: number }>();

/** What identifies the connection: the HTTP/2 session (each stream has its own socket proxy), or the socket. */
function connectionOf(req: Req, socket: TLSSocket): object {
  return (req as { stream?: { session?: object } }).stream?.session ?? socket;
}

export const x509Authenticator: Authenticator = {
  name: 'x509',
  authenticate(req: Req): AuthnResult {
    const socket = socketOf(req);
    if (!socket) return undefined;
    const connection = connectionOf(req, socket);
    const cached = perConnection.get(connection);
    if (cached && Date.now() < cached.validToMs) return cached.result;
    const result = authenticateSocket(socket);
    const validTo = Date.parse(socket.getPeerCertificate()?.valid_to ?? '');
    if (!Number.isNaN(validTo)) perConnection.set(connection, { result, validToMs: validTo });
    return result;
  },
};

function authenticateSocket(socket: TLSSocket): AuthnResult {
  const cert = socket.getPeerCertificate();
  if (!cert || Object.keys(cert).length === 0) return undefined;
  if (!socket.authorized)
    return {
      error: `x509: certificate signed by unknown authority (${String(socket.authorizationError)})`,
    };
  const cn = cert.subject?.CN;
  const name = Array.isArray(cn) ? cn[0] : cn;
  if (!name) return { error: 'x509: certificate has no common name' };
  const o = cert.subject?.O;
  const groups = o === undefined ? [] : Array.isArray(o) ? o : [o];
  return { user: { name, groups: [...groups, 'system:authenticated'] } };
}
