/** The node IPAM controller in a server whose cluster CIDR has room for two nodes only. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer } from '../support/k8ts-server.js';
import type { RunningServer } from '../support/k8ts-server.js';
import { findKubectls, kubectl, ok } from '../support/kubectl.js';
import { tempDir } from '../support/tmp.js';
import { until } from '../support/wait.js';

const k = findKubectls([33])[0]!;

describe('node IPAM', () => {
  let server: RunningServer;
  const cache = tempDir('k8ts-kubectl-');
  const run = (...args: string[]) => kubectl(k, server.kubeconfig, cache.dir, args);
  const cidrs = async () =>
    ok(
      await run('get', 'nodes', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.spec.podCIDR} {end}'),
      'podCIDRs',
    ).trim();

  before(async () => {
    server = await startServer(['--simulated-nodes', '3', '--cluster-cidr', '10.42.0.0/23']);
  });
  after(async () => {
    await server?.stop();
    cache.remove();
  });

  it('gives each node its own subnet, reports CIDRNotAvailable when none is left, and reuses freed ones', async () => {
    await until(
      'two nodes with podCIDRs',
      async () => ((await cidrs()).match(/=10\.42\./g) ?? []).length === 2,
    );
    const assigned = (await cidrs()).split(' ');
    const withCidr = assigned.filter((a) => a.includes('=10.42.'));
    assert.deepEqual(withCidr.map((a) => a.split('=')[1]).sort(), ['10.42.0.0/24', '10.42.1.0/24']);
    const starved = assigned.find((a) => a.endsWith('='))!.slice(0, -1);
    await until('a CIDRNotAvailable event', async () =>
      new RegExp(
        `CIDRNotAvailable\\s+node/${starved}\\s+Node ${starved} status is now: CIDRNotAvailable`,
      ).test((await run('get', 'events', '-o', 'wide')).stdout),
    );
    const donor = withCidr[0]!.split('=')[0]!;
    const freed = withCidr[0]!.split('=')[1]!;
    ok(await run('delete', 'node', donor), `delete node ${donor}`);
    await until(`${starved} gets ${freed}`, async () => (await cidrs()).includes(`${starved}=${freed}`));
  });
});
