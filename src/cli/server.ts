import { join } from 'node:path';
import { decodeKubernetesProtobuf } from '../apimachinery/protobuf/index.js';
import { SimulatedNodes } from '../agent/simulated/simulated-nodes.js';
import {
  CONTROLLER_MANAGER_USER,
  NODES_GROUP,
  SCHEDULER_USER,
  SIMULATED_NODE_USER,
} from '../apiserver/authz/chain.js';
import { portRange, serviceCidr } from '../apiserver/allocators/ranges.js';
import { DEFAULT_NODE_PORT_RANGE, DEFAULT_SERVICE_CIDR } from '../apiserver/allocators/service-allocator.js';
import { ApiServer } from '../apiserver/server.js';
import type { HealthProbe } from '../apiserver/health/component-status.js';
import { ControllerManager } from '../controllers/manager.js';
import { CidrSet } from '../controllers/nodeipam/cidr-set.js';
import { ensurePki, writeKubeconfig } from '../pki/index.js';
import { Scheduler } from '../scheduler/scheduler.js';
import { Compactor } from '../storage/compactor.js';
import { openStore } from '../storage/open-store.js';
import { logger } from '../util/log.js';
import { UsageError } from './command.js';
import { componentClient } from './components.js';
import type { Command } from './command.js';
import { controllerOptionHelp, controllerOptions, controllerSettings } from './controller-flags.js';
import {
  simulatedNodeConfig,
  simulatedNodeOptionHelp,
  simulatedNodeOptions,
} from './simulated-node-flags.js';
import { storageConfig, storageOptionHelp, storageOptions } from './storage-flags.js';
import { VERSION } from './version.js';

const log = logger('server');

/** A componentstatuses probe for a component this process runs (or was told not to run). */
function inProcessProbe(name: string, healthy?: () => boolean): HealthProbe {
  return () =>
    Promise.resolve(
      !healthy
        ? { healthy: false, error: `${name} is disabled in this server process` }
        : healthy()
          ? { healthy: true, message: 'ok' }
          : { healthy: false, error: `${name} is not running` },
    );
}

/**
 * `k8ts server`: the control plane on this machine: the store and its compactor, the cluster PKI, the
 * API server, the controller manager, the scheduler and, with --simulated-nodes, simulated nodes. The
 * real node agent joins this same command as it is built.
 */
export const serverCommand: Command = {
  name: 'server',
  summary: 'Run the k8ts control plane on this machine.',
  usage:
    'k8ts server [--data-dir DIR] [--port PORT] [--bind-address ADDR] [--storage sqlite|etcd|memory] [--etcd-endpoints URL,...] [--simulated-nodes N]',
  options: {
    ...storageOptions,
    port: { type: 'string' },
    'bind-address': { type: 'string' },
    'compaction-interval': { type: 'string' },
    'disable-controller-manager': { type: 'boolean' },
    'disable-scheduler': { type: 'boolean' },
    'leader-elect': { type: 'string' },
    'service-cluster-ip-range': { type: 'string' },
    'service-node-port-range': { type: 'string' },
    'advertise-address': { type: 'string' },
    'disable-agent': { type: 'boolean' },
    ...simulatedNodeOptions,
    ...controllerOptions,
  },
  optionHelp: {
    ...storageOptionHelp,
    port: 'HTTPS port of the API server (default 6443)',
    'bind-address': 'address to listen on (default 0.0.0.0)',
    'compaction-interval': 'seconds between history compactions (default 300)',
    'disable-controller-manager': 'do not run the controller manager in this process',
    'disable-scheduler': 'do not run the scheduler in this process',
    'leader-elect':
      'true|false: the controllers and the scheduler run only while this server holds the kube-controller-manager and kube-scheduler Leases (default true)',
    'service-cluster-ip-range': 'IPv4 CIDR Service cluster IPs are allocated from (default 10.43.0.0/16)',
    'service-node-port-range':
      'port range NodePort and LoadBalancer Services get node ports from (default 30000-32767)',
    'advertise-address':
      'address the kubernetes Service endpoints name (default: the bind address, or the first non-loopback IPv4 address when binding 0.0.0.0)',
    'disable-agent':
      'do not run the node agent on this machine (there is no real node agent yet: the server never runs a real node today, so this changes nothing)',
    ...simulatedNodeOptionHelp,
    ...controllerOptionHelp,
  },
  async run(values) {
    const cfg = storageConfig(values);
    const port = Number((values['port'] as string | undefined) ?? 6443);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new UsageError(`--port must be a port number, not ${String(values['port'])}`);
    const bindAddress = (values['bind-address'] as string | undefined) ?? '0.0.0.0';
    const leaderElect = String(values['leader-elect'] ?? 'true');
    if (leaderElect !== 'true' && leaderElect !== 'false')
      throw new UsageError(`--leader-elect must be true or false, not ${leaderElect}`);
    const serviceCIDR = (values['service-cluster-ip-range'] as string | undefined) ?? DEFAULT_SERVICE_CIDR;
    const nodePortRange =
      (values['service-node-port-range'] as string | undefined) ?? DEFAULT_NODE_PORT_RANGE;
    try {
      serviceCidr(serviceCIDR);
      portRange(nodePortRange);
    } catch (err) {
      throw new UsageError(`--service-cluster-ip-range/--service-node-port-range: ${(err as Error).message}`);
    }
    const simulated = simulatedNodeConfig(values);
    const settings = controllerSettings(values);
    const store = await openStore(cfg);
    const seconds = Number((values['compaction-interval'] as string | undefined) ?? 300);
    const compactor = new Compactor(store, { intervalMs: seconds * 1000, log: logger('compactor') }).start();
    const pki = await ensurePki(join(cfg.dataDir, 'pki'), { log: logger('pki') });
    const api = new ApiServer({
      store,
      tls: { certPem: pki.serving.certPem, keyPem: pki.serving.keyPem, caPem: pki.caCertPem },
      port,
      bindAddress,
      log: logger('apiserver'),
      version: VERSION,
      protobuf: decodeKubernetesProtobuf,
      serviceAccountKeyPem: pki.serviceAccount.privateKeyPem,
      serviceCIDR,
      nodePortRange,
      advertiseAddress: values['advertise-address'] as string | undefined,
    });
    await api.start();
    // Where clients on this machine reach the API server: loopback unless it listens on one address.
    const host = bindAddress === '0.0.0.0' || bindAddress === '::' ? '127.0.0.1' : bindAddress;
    const server = `https://${host.includes(':') ? `[${host}]` : host}:${api.port}`;
    const stopComponents = new AbortController();
    const running: Promise<void>[] = [];
    if (!values['disable-controller-manager']) {
      const client = await componentClient(pki, server, CONTROLLER_MANAGER_USER, 'kube-controller-manager');
      const manager = new ControllerManager({ client, leaderElect: leaderElect === 'true', settings });
      running.push(manager.run(stopComponents.signal).finally(() => client.close()));
      api.health.register(
        'controller-manager',
        inProcessProbe('controller-manager', () => manager.healthy),
      );
    } else api.health.register('controller-manager', inProcessProbe('controller-manager'));
    if (!values['disable-scheduler']) {
      const client = await componentClient(pki, server, SCHEDULER_USER, 'kube-scheduler');
      const scheduler = new Scheduler({ client, leaderElect: leaderElect === 'true' });
      running.push(scheduler.run(stopComponents.signal).finally(() => client.close()));
      api.health.register('scheduler', () => scheduler.healthy());
    } else api.health.register('scheduler', inProcessProbe('scheduler'));
    const kubeconfig = join(cfg.dataDir, 'admin.kubeconfig');
    writeKubeconfig(kubeconfig, {
      server,
      caCertPem: pki.caCertPem,
      clientCertPem: pki.admin.certPem,
      clientKeyPem: pki.admin.keyPem,
    });
    if (simulated.count > 0) {
      // One stand-in kubelet for all simulated nodes, with a node's credentials (group system:nodes).
      const client = await componentClient(pki, server, SIMULATED_NODE_USER, 'k8ts-simulated-kubelet', [
        NODES_GROUP,
      ]);
      const nodes = new SimulatedNodes(client, simulated, logger('simulated-nodes'));
      const subnets = new CidrSet(settings.clusterCIDR, settings.nodeCIDRMaskSize).subnets;
      if (simulated.count > subnets)
        log.warn(
          'more simulated nodes than node podCIDRs: pods on the nodes left without one never start; give a larger --cluster-cidr or --node-cidr-mask-size',
          { nodes: simulated.count, podCIDRs: subnets },
        );
      await nodes.register();
      running.push(nodes.run(stopComponents.signal).finally(() => client.close()));
    }
    log.info('ready', {
      backend: store.backend,
      dataDir: cfg.dataDir,
      port: api.port,
      kubeconfig,
      try: `KUBECONFIG=${kubeconfig} kubectl get ns`,
    });
    await new Promise<void>((resolve) => {
      process.once('SIGTERM', resolve);
      process.once('SIGINT', resolve);
    });
    log.info('shutting down');
    stopComponents.abort();
    await Promise.all(running);
    await api.stop();
    compactor.stop();
    await store.close();
    return 0;
  },
};
