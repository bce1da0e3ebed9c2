/**
 * Admission: plugins that see every write after authorization and before storage, and may refuse it
 * (validating) or change it (mutating), in order. NamespaceLifecycle is the first.
 */
import type { StoredObject } from '../../apimachinery/meta.js';
import type { ResourceDefinition } from '../../api/types.js';
import type { UserInfo } from '../authn/user.js';
import type { ObjectStore } from '../registry/object-store.js';

export interface AdmissionRequest {
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  def: ResourceDefinition;
  object: StoredObject;
  oldObject?: StoredObject;
  user: UserInfo;
  objects: ObjectStore;
  /** dryRun=All: check, but change nothing outside the object (no quota charged). */
  dryRun?: boolean;
}

export interface AdmissionPlugin {
  name: string;
  /** Throws a StatusError to refuse; may change `req.object` when mutating. */
  admit(req: AdmissionRequest): Promise<void>;
}

export class AdmissionChain {
  constructor(private readonly plugins: AdmissionPlugin[]) {}

  async admit(req: AdmissionRequest): Promise<void> {
    for (const p of this.plugins) await p.admit(req);
  }
}
