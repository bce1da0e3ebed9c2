/**
 * Health of the control-plane components as ComponentStatus reports it: a registry of named probes.
 * The API server registers its storage backend (`etcd-0`, Kubernetes' name for it whatever the
 * backend); the scheduler and controller manager register theirs when they run in this process.
 */
import type { Store } from '../../storage/store.js';

export interface ProbeResult {
  healthy: boolean;
  /** Shown in the MESSAGE column when healthy. */
  message?: string;
  /** Shown in the ERROR column when not. */
  error?: string;
}

export type HealthProbe = () => Promise<ProbeResult>;

export interface ComponentCondition {
  type: 'Healthy';
  status: 'True' | 'False' | 'Unknown';
  message?: string;
  error?: string;
}

const PROBE_TIMEOUT_MS = 5_000;

export class ComponentHealth {
  private readonly probes = new Map<string, HealthProbe>();

  register(name: string, probe: HealthProbe): void {
    if (this.probes.has(name)) throw new Error(`component health probe ${name} is already registered`);
    this.probes.set(name, probe);
  }

  names(): string[] {
    return [...this.probes.keys()].sort();
  }

  has(name: string): boolean {
    return this.probes.has(name);
  }

  /** The Healthy condition of one component; a probe that throws or hangs is reported unhealthy. */
  async condition(name: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<ComponentCondition> {
    const probe = this.probes.get(name);
    if (!probe) throw new Error(`no health probe named ${name}`);
    let timer: NodeJS.Timeout | undefined;
    try {
      const r = await Promise.race([
        probe(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('health check timed out')), timeoutMs);
        }),
      ]);
      return r.healthy
        ? { type: 'Healthy', status: 'True', message: r.message ?? 'ok' }
        : { type: 'Healthy', status: 'False', error: r.error ?? 'unhealthy' };
    } catch (err) {
      return { type: 'Healthy', status: 'False', error: err instanceof Error ? err.message : String(err) };
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The storage backend is healthy when it answers a read of its current revision. */
export function storeProbe(store: Store): HealthProbe {
  return async () => {
    await store.currentRevision();
    return { healthy: true, message: 'ok' };
  };
}
