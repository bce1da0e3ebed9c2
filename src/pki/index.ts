/** The cluster PKI: CA, API server serving certificate, admin and other client certificates, SA signing keys. */
export type { CertAndKey, CertSubject, ClientIdentity, ClusterPki, EnsurePkiOptions } from './types.js';
export { ensurePki, ADMIN_SUBJECT, CA_COMMON_NAME, SERVING_SUBJECT } from './ensure-pki.js';
export { issueClientCert } from './client-certs.js';
export { parseClientIdentity, inspectCertificate, type CertificateInfo } from './certificates.js';
export { writeKubeconfig, kubeconfigDocument, type KubeconfigOptions } from './kubeconfig.js';
export { pkiPaths, type PkiPaths } from './files.js';
export { DEFAULT_SERVICE_IP, servingSubjectAltNames, type SubjectAltNames } from './sans.js';
