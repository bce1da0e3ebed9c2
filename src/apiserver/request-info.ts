/**
 * What a request is about, parsed from its path and method the way kube-apiserver's RequestInfoFactory
 * does: /api/v1/namespaces/ns/pods/name/status, /apis/apps/v1/deployments, /healthz...
 */
export interface RequestInfo {
  isResourceRequest: boolean;
  path: string;
  /** get, list, watch, create, update, patch, delete, deletecollection (resource requests); the HTTP verb lowercased otherwise. */
  verb: string;
  apiPrefix: string;
  group: string;
  version: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
  parts: string[];
}

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

export function parseRequestInfo(method: string, url: URL): RequestInfo {
  const path = url.pathname;
  const info: RequestInfo = {
    isResourceRequest: false,
    path,
    verb: method.toLowerCase(),
    apiPrefix: '',
    group: '',
    version: '',
    namespace: '',
    resource: '',
    subresource: '',
    name: '',
    parts: [],
  };
  const segs = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (segs[0] === 'api') {
    info.apiPrefix = 'api';
    if (segs.length < 3) return info;
    info.version = segs[1]!;
    segs.splice(0, 2);
  } else if (segs[0] === 'apis') {
    info.apiPrefix = 'apis';
    if (segs.length < 4) {
      info.group = segs[1] ?? '';
      info.version = segs[2] ?? '';
      return info;
    }
    info.group = segs[1]!;
    info.version = segs[2]!;
    segs.splice(0, 3);
  } else {
    return info;
  }
  info.isResourceRequest = true;
  const first: string | undefined = segs[0];
  if (first === 'namespaces' && segs.length > 1) {
    info.namespace = segs[1]!;
    // /namespaces/{name}/status and /finalize address the namespace object itself.
    if (segs.length > 2 && !NAMESPACE_SUBRESOURCES.has(segs[2]!)) segs.splice(0, 2);
  }
  info.parts = segs;
  info.resource = segs[0] ?? '';
  info.name = segs[1] ?? '';
  info.subresource = segs[2] ?? '';
  // Namespaces are cluster-scoped: the namespace of /namespaces/{name} is the object's own name.
  if (info.resource === 'namespaces') info.namespace = info.name;
  const watch = url.searchParams.get('watch');
  const isWatch = watch === 'true' || watch === '1';
  switch (method) {
    case 'GET':
    case 'HEAD':
      info.verb = info.name ? 'get' : isWatch ? 'watch' : 'list';
      break;
    case 'POST':
      info.verb = 'create';
      break;
    case 'PUT':
      info.verb = 'update';
      break;
    case 'PATCH':
      info.verb = 'patch';
      break;
    case 'DELETE':
      info.verb = info.name ? 'delete' : 'deletecollection';
      break;
    default:
      info.verb = method.toLowerCase();
  }
  // A watch of one object: ?watch=true&fieldSelector=metadata.name=x is how clients do it; the old
  // /watch/ path prefix is not served.
  if (info.verb === 'get' && isWatch) info.verb = 'watch';
  return info;
}
