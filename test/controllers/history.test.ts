/** ControllerRevision history: revision data, names, equality, numbering and truncation. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ControllerRevision, PodTemplateSpec } from '../../src/client/objects.js';
import { computeHash } from '../../src/controllers/common/hash.js';
import {
  equalRevisions,
  nextRevisionNumber,
  revisionName,
  revisionsToTruncate,
  sameData,
  sortRevisions,
  templateOfRevision,
  templatePatch,
} from '../../src/controllers/common/history.js';

const template = (image: string): PodTemplateSpec => ({
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'c', image, resources: {} }], restartPolicy: 'Always' },
});

function rev(
  name: string,
  revision: number,
  image = name,
  created = '2024-01-01T00:00:00Z',
): ControllerRevision {
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      resourceVersion: '1',
      creationTimestamp: created,
    },
    data: templatePatch(template(image)),
    revision,
  };
}

describe('revision data', () => {
  it('is a replace patch of the template with sorted keys, as kubectl derives it from the live object', () => {
    const data = templatePatch(template('nginx:1'));
    assert.equal(
      JSON.stringify(data),
      '{"spec":{"template":{"$patch":"replace","metadata":{"creationTimestamp":null,"labels":{"app":"web"}},' +
        '"spec":{"containers":[{"image":"nginx:1","name":"c","resources":{}}],"restartPolicy":"Always"}}}}',
    );
  });

  it('gives back the template it was made from', () => {
    const t = template('nginx:1');
    assert.deepEqual(templateOfRevision(rev('a', 1, 'nginx:1')), t);
  });

  it('compares data regardless of key order', () => {
    const a = templatePatch(template('x'));
    const b: unknown = JSON.parse(
      JSON.stringify({ spec: { template: { ...(a['spec'] as { template: object }).template } } }),
    );
    assert.ok(sameData(a, b));
    assert.ok(!sameData(a, templatePatch(template('y'))));
  });
});

describe('revision names and hashes', () => {
  it('names a revision <owner>-<hash>, cutting a long owner name so the hash survives', () => {
    assert.equal(revisionName('web', 'abc'), 'web-abc');
    const long = revisionName('x'.repeat(300), 'h4sh');
    assert.equal(long.length, 223 + 5);
    assert.ok(long.endsWith('-h4sh'));
  });

  it('hashes differently after a collision', () => {
    const data = templatePatch(template('x'));
    assert.equal(computeHash(data), computeHash(data, 0));
    assert.notEqual(computeHash(data), computeHash(data, 1));
    assert.notEqual(computeHash(data), computeHash(templatePatch(template('y'))));
  });
});

describe('revision numbering', () => {
  it('sorts by revision, then age, then name, and numbers the next one after the highest', () => {
    const revs = [rev('c', 3), rev('a', 1), rev('b2', 2, 'b2', '2024-01-02T00:00:00Z'), rev('b1', 2)];
    assert.deepEqual(
      sortRevisions(revs).map((r) => r.metadata.name),
      ['a', 'b1', 'b2', 'c'],
    );
    assert.equal(nextRevisionNumber(revs), 4);
    assert.equal(nextRevisionNumber([]), 1);
  });

  it('finds the revisions whose data equal a template', () => {
    const revs = [rev('one', 1, 'nginx:1'), rev('two', 2, 'nginx:2'), rev('three', 3, 'nginx:1')];
    assert.deepEqual(
      equalRevisions(revs, templatePatch(template('nginx:1'))).map((r) => r.metadata.name),
      ['one', 'three'],
    );
    assert.deepEqual(equalRevisions(revs, templatePatch(template('nginx:9'))), []);
  });
});

describe('history truncation', () => {
  const old = [1, 2, 3, 4, 5].map((n) => rev(`r${n}`, n));

  it('deletes the oldest revisions no pod runs beyond the limit (StatefulSet)', () => {
    const live = new Set(['r1']);
    const doomed = revisionsToTruncate(old, (r) => live.has(r.metadata.name), 2);
    // r2..r5 are not live: two of them may stay, the two oldest go; r1 is live and kept.
    assert.deepEqual(
      doomed.map((r) => r.metadata.name),
      ['r2', 'r3'],
    );
  });

  it('counts live revisions against the limit for DaemonSets', () => {
    const live = new Set(['r1']);
    const doomed = revisionsToTruncate(old, (r) => live.has(r.metadata.name), 2, { countLive: true });
    assert.deepEqual(
      doomed.map((r) => r.metadata.name),
      ['r2', 'r3', 'r4'],
    );
  });

  it('keeps everything within the limit, and a limit of 0 keeps only live ones', () => {
    assert.deepEqual(
      revisionsToTruncate(old, () => false, 10),
      [],
    );
    assert.deepEqual(
      revisionsToTruncate(old, (r) => r.metadata.name === 'r5', 0).map((r) => r.metadata.name),
      ['r1', 'r2', 'r3', 'r4'],
    );
  });
});
