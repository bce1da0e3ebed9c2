/**
 * The control-plane components inside `k8ts server`: each is an API client with its own client
 * certificate, talking HTTPS to the API server on loopback exactly as it would from another machine.
 */
import { RestClient } from '../client/rest.js';
import type { ClusterPki } from '../pki/index.js';
import { issueClientCert } from '../pki/index.js';
import { VERSION } from './version.js';

/** A client that authenticates as `user` (CN) with `groups` (O), to the API server at `server`. */
export async function componentClient(
  pki: ClusterPki,
  server: string,
  user: string,
  program: string,
  groups: string[] = [],
): Promise<RestClient> {
  const cert = await issueClientCert(pki, { commonName: user, organizations: groups });
  return new RestClient({
    server,
    caPem: pki.caCertPem,
    certPem: cert.certPem,
    keyPem: cert.keyPem,
    userAgent: `${program}/${VERSION} k8ts`,
  });
}
