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

export const x509Authenticator: Authenticator = {
  name: 'x509',
  authenticate(req: Req): AuthnResult {
    const socket = socketOf(req);
    if (!socket) return undefined;
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
  },
};
