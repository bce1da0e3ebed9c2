import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NodeName } from '../../src/scheduler/plugins/node-name.js';
import { NodePorts } from '../../src/scheduler/plugins/node-ports.js';
import { NodeUnschedulable } from '../../src/scheduler/plugins/node-unschedulable.js';
import { cluster, filterAll, node, pod, reasons } from './fixtures.js';

describe('NodeUnschedulable', () => {
  const c = cluster([node('open'), node('cordoned', { unschedulable: true })]);

  it('keeps pods off cordoned nodes', () => {
    const r = filterAll(new NodeUnschedulable(), c, pod('p'));
    assert.deepEqual(reasons(r), { open: '', cordoned: 'node(s) were unschedulable' });
    assert.equal(r.byNode.get('cordoned')?.code, 'UnschedulableAndUnresolvable');
  });

  it('admits pods tolerating node.kubernetes.io/unschedulable', () => {
    const p = pod('p', {
      spec: {
        tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }],
      },
    });
    assert.deepEqual(reasons(filterAll(new NodeUnschedulable(), c, p)), { open: '', cordoned: '' });
  });
});

describe('NodeName', () => {
  it('fits a pod that names a node only there', () => {
    const c = cluster([node('a'), node('b')]);
    assert.deepEqual(reasons(filterAll(new NodeName(), c, pod('p', { spec: { nodeName: 'b' } }))), {
      a: "node(s) didn't match the requested node name",
      b: '',
    });
    assert.deepEqual(reasons(filterAll(new NodeName(), c, pod('q'))), { a: '', b: '' });
  });
});

describe('NodePorts', () => {
  const withPort = (
    name: string,
    hostPort: number,
    o: { hostIP?: string; protocol?: 'UDP'; nodeName?: string } = {},
  ) =>
    pod(name, {
      nodeName: o.nodeName,
      spec: {
        containers: [
          {
            name: 'c',
            image: 'x',
            ports: [{ containerPort: 80, hostPort, hostIP: o.hostIP, protocol: o.protocol }],
          },
        ],
      },
    });

  it('rejects nodes where the host port is taken on an overlapping IP and protocol', () => {
    const c = cluster(
      [node('any'), node('ip'), node('udp'), node('free')],
      [
        withPort('a', 8080, { nodeName: 'any' }),
        withPort('b', 8080, { nodeName: 'ip', hostIP: '10.0.0.1' }),
        withPort('c', 8080, { nodeName: 'udp', protocol: 'UDP' }),
        withPort('d', 9090, { nodeName: 'free' }),
      ],
    );
    const taken = "node(s) didn't have free ports for the requested pod ports";
    assert.deepEqual(reasons(filterAll(new NodePorts(), c, withPort('p', 8080))), {
      any: taken,
      ip: taken,
      udp: '',
      free: '',
    });
    assert.deepEqual(reasons(filterAll(new NodePorts(), c, withPort('q', 8080, { hostIP: '10.0.0.2' }))), {
      any: taken,
      ip: '',
      udp: '',
      free: '',
    });
    assert.equal(filterAll(new NodePorts(), c, withPort('r', 8080)).byNode.get('any')?.code, 'Unschedulable');
  });
});
