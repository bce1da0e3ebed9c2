/**
 * Priority (a default kube-apiserver admission plugin): a new pod gets spec.priority and
 * spec.preemptionPolicy from its PriorityClass. A pod without priorityClassName gets the global default
 * class (the lowest-valued one if several claim it) and its name, or priority 0 and
 * PreemptLowerPriority when there is none. A class that does not exist, or a priority or preemption
 * policy that disagrees with the class, is refused with 403 Forbidden and Kubernetes' message. Updates
 * keep what create set.
 */
import * as E from '../../apimachinery/errors.js';
import type { StoredObject } from '../../apimachinery/meta.js';
import type { AdmissionPlugin } from './chain.js';

export const DEFAULT_PREEMPTION_POLICY = 'PreemptLowerPriority';

export interface PriorityClassSource {
  /** The class by name; NotFound when it does not exist. */
  get(name: string): Promise<StoredObject>;
  list(): Promise<StoredObject[]>;
}

interface PodPrioritySpec {
  priorityClassName?: string;
  priority?: number;
  preemptionPolicy?: string;
}

interface Resolved {
  className: string;
  priority: number;
  preemptionPolicy?: string;
}

const classValue = (pc: StoredObject) => Number(pc['value'] ?? 0);
const classPolicy = (pc: StoredObject) => (pc['preemptionPolicy'] as string | undefined) ?? undefined;

async function resolve(classes: PriorityClassSource, name: string | undefined): Promise<Resolved | string> {
  if (!name) {
    const defaults = (await classes.list()).filter((pc) => pc['globalDefault'] === true);
    if (!defaults.length) return { className: '', priority: 0, preemptionPolicy: DEFAULT_PREEMPTION_POLICY };
    const lowest = defaults.reduce((a, b) => (classValue(b) < classValue(a) ? b : a));
    return {
      className: lowest.metadata.name,
      priority: classValue(lowest),
      preemptionPolicy: classPolicy(lowest),
    };
  }
  try {
    const pc = await classes.get(name);
    return { className: name, priority: classValue(pc), preemptionPolicy: classPolicy(pc) };
  } catch (err) {
    if (E.isStatusError(err, 'NotFound')) return `no PriorityClass with name ${name} was found`;
    throw err;
  }
}

export function priorityAdmission(classes: PriorityClassSource): AdmissionPlugin {
  return {
    name: 'Priority',
    async admit(req) {
      if (req.def.group !== '' || req.def.resource !== 'pods') return;
      const spec = (req.object['spec'] ??= {}) as PodPrioritySpec;
      if (req.operation === 'UPDATE') {
        const old = (req.oldObject?.['spec'] ?? {}) as PodPrioritySpec;
        if (spec.priority === undefined && old.priority !== undefined) spec.priority = old.priority;
        if (spec.preemptionPolicy === undefined && old.preemptionPolicy !== undefined)
          spec.preemptionPolicy = old.preemptionPolicy;
        return;
      }
      if (req.operation !== 'CREATE') return;
      const forbidden = (reason: string) =>
        E.forbidden({ group: '', resource: 'pods' }, req.object.metadata.name, reason);
      const resolved = await resolve(classes, spec.priorityClassName);
      if (typeof resolved === 'string') throw forbidden(resolved);
      if (!spec.priorityClassName && resolved.className) spec.priorityClassName = resolved.className;
      if (spec.priority !== undefined && spec.priority !== resolved.priority)
        throw forbidden(
          `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${resolved.priority} from the given PriorityClass name`,
        );
      spec.priority = resolved.priority;
      if (resolved.preemptionPolicy) {
        if (spec.preemptionPolicy !== undefined && spec.preemptionPolicy !== resolved.preemptionPolicy)
          throw forbidden(
            `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${resolved.preemptionPolicy} from the given PriorityClass name`,
          );
        spec.preemptionPolicy = resolved.preemptionPolicy;
      }
    },
  };
}
