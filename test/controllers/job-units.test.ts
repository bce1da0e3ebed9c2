/** The Job controller's pure parts: completion index sets, pod failure / success policies, pod backoff. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Job, Pod } from '../../src/client/objects.js';
import { IndexSet } from '../../src/controllers/job/indexes.js';
import { pastBackoffLimitOnFailure } from '../../src/controllers/job/job-pods.js';
import {
  PodBackoffStore,
  podFailureBackoffBaseMs,
  remainingBackoffMs,
} from '../../src/controllers/job/pod-backoff.js';
import { matchPodFailurePolicy, matchSuccessPolicy } from '../../src/controllers/job/policies.js';

describe('completion index sets', () => {
  it('writes runs of three or more as ranges and pairs as two numbers', () => {
    assert.equal(IndexSet.of([5, 0, 2, 1]).toString(), '0-2,5');
    assert.equal(IndexSet.of([3, 4]).toString(), '3,4');
    assert.equal(IndexSet.of([7, 9, 8, 1]).toString(), '1,7-9');
    assert.equal(IndexSet.empty().toString(), '');
  });

  it('parses its own output, drops indexes beyond completions, ignores corrupt parts', () => {
    const s = IndexSet.parse('0-2,5,7,8', 10);
    assert.equal(s.total, 6);
    assert.ok(s.has(1) && s.has(8) && !s.has(6));
    assert.equal(IndexSet.parse('0-2,5,7,8', 6).toString(), '0-2,5');
    assert.equal(IndexSet.parse('x,1-3,9', 5).toString(), '1-3');
    assert.equal(IndexSet.parse('0-1,2', 5).toString(), '0-2');
  });

  it('merges and lists the first missing indexes', () => {
    const s = IndexSet.parse('0,2-3', 8).with([6]);
    assert.deepEqual(s.firstMissing(3, 8), [1, 4, 5]);
    assert.deepEqual(s.firstMissing(10, 8), [1, 4, 5, 7]);
    assert.equal(s.merge(IndexSet.of([1, 4, 5])).toString(), '0-6');
  });
});

function failedPod(exitCode: number, conditions: { type: string; status: string }[] = []): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'p',
      namespace: 'ns',
      uid: 'u',
      resourceVersion: '1',
      creationTimestamp: '2024-01-01T00:00:00Z',
    },
    status: {
      phase: 'Failed',
      conditions,
      containerStatuses: [
        {
          name: 'main',
          image: 'x',
          imageID: '',
          ready: false,
          restartCount: 0,
          state: { terminated: { exitCode, finishedAt: '2024-01-01T00:00:10Z' } },
        },
      ],
    },
  };
}

type Policy = NonNullable<NonNullable<Job['spec']>['podFailurePolicy']>;

describe('pod failure policy', () => {
  const policy: Policy = {
    rules: [
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
      { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } },
      { action: 'Count', onExitCodes: { operator: 'NotIn', values: [1] } },
    ],
  };

  it('matches the first rule, in order', () => {
    assert.deepEqual(matchPodFailurePolicy(policy, failedPod(42)), {
      countFailed: true,
      action: 'FailJob',
      failJobMessage: 'Container main for pod ns/p failed with exit code 42 matching FailJob rule at index 1',
    });
    assert.deepEqual(
      matchPodFailurePolicy(policy, failedPod(42, [{ type: 'DisruptionTarget', status: 'True' }])),
      {
        countFailed: false,
        action: 'Ignore',
      },
    );
    assert.deepEqual(matchPodFailurePolicy(policy, failedPod(2)), { countFailed: true, action: 'Count' });
    assert.deepEqual(matchPodFailurePolicy(policy, failedPod(1)), { countFailed: true });
    assert.deepEqual(matchPodFailurePolicy(undefined, failedPod(42)), { countFailed: true });
  });

  it('reports a matching pod condition in the FailJob message', () => {
    const p: Policy = {
      rules: [{ action: 'FailJob', onPodConditions: [{ type: 'ConfigIssue', status: 'True' }] }],
    };
    assert.equal(
      matchPodFailurePolicy(p, failedPod(1, [{ type: 'ConfigIssue', status: 'True' }])).failJobMessage,
      'Pod ns/p has condition ConfigIssue matching FailJob rule at index 0',
    );
  });
});

describe('success policy', () => {
  it('is met by all listed indexes, or by succeededCount of them', () => {
    const succeeded = IndexSet.of([0, 1, 3]);
    assert.equal(matchSuccessPolicy({ rules: [{ succeededIndexes: '0-2' }] }, 5, succeeded), undefined);
    assert.equal(
      matchSuccessPolicy({ rules: [{ succeededIndexes: '0-2' }, { succeededIndexes: '0,1' }] }, 5, succeeded),
      'Matched rules at index 1',
    );
    assert.equal(
      matchSuccessPolicy({ rules: [{ succeededIndexes: '0-4', succeededCount: 3 }] }, 5, succeeded),
      'Matched rules at index 0',
    );
    assert.equal(matchSuccessPolicy({ rules: [{ succeededCount: 4 }] }, 5, succeeded), undefined);
  });
});

describe('pod failure backoff', () => {
  it('doubles from the base delay per consecutive failure, capped at six minutes', () => {
    const base = 10_000;
    assert.equal(remainingBackoffMs(0, undefined, 0, base), 0);
    assert.equal(remainingBackoffMs(1, 0, 0, base), 10_000);
    assert.equal(remainingBackoffMs(3, 0, 5_000, base), 35_000);
    assert.equal(remainingBackoffMs(10, 0, 0, base), 360_000);
    assert.equal(remainingBackoffMs(2, 0, 60_000, base), 0);
  });

  it('counts failures since the last success', () => {
    const store = new PodBackoffStore();
    const at = (s: number) => {
      const p = failedPod(1);
      p.status!.containerStatuses![0]!.state!.terminated!.finishedAt = new Date(s * 1000).toISOString();
      return p;
    };
    let r = store.next('j', [], [at(10), at(20)]);
    assert.deepEqual(r, { failuresAfterLastSuccess: 2, lastFailureTime: 20_000 });
    store.set('j', r);
    r = store.next('j', [at(25)], [at(30)]);
    assert.deepEqual(r, { failuresAfterLastSuccess: 1, lastFailureTime: 30_000 });
    store.set('j', r);
    assert.deepEqual(store.next('j', [at(40)], []), { failuresAfterLastSuccess: 0 });
  });

  it('takes its base delay from K8TS_JOB_POD_FAILURE_BACKOFF_MS', () => {
    assert.equal(podFailureBackoffBaseMs({}), 10_000);
    assert.equal(podFailureBackoffBaseMs({ K8TS_JOB_POD_FAILURE_BACKOFF_MS: '250' }), 250);
    assert.equal(podFailureBackoffBaseMs({ K8TS_JOB_POD_FAILURE_BACKOFF_MS: 'soon' }), 10_000);
  });
});

describe('restartPolicy OnFailure', () => {
  it('counts container restarts of running pods against backoffLimit', () => {
    const job = (backoffLimit: number) =>
      ({
        spec: { backoffLimit, template: { spec: { restartPolicy: 'OnFailure', containers: [] } } },
      }) as unknown as Job;
    const running = (restarts: number) => {
      const p = failedPod(1);
      p.status!.phase = 'Running';
      p.status!.containerStatuses![0]!.restartCount = restarts;
      return p;
    };
    assert.equal(pastBackoffLimitOnFailure(job(3), [running(1), running(1)]), false);
    assert.equal(pastBackoffLimitOnFailure(job(3), [running(2), running(1)]), true);
    assert.equal(pastBackoffLimitOnFailure(job(0), [running(1)]), true);
    const never = job(0);
    never.spec!.template.spec!.restartPolicy = 'Never';
    assert.equal(pastBackoffLimitOnFailure(never, [running(5)]), false);
  });
});
