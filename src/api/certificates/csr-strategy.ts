/**
 * CertificateSigningRequest strategy and validation, as Kubernetes splits it over three endpoints:
 * the object (status untouched), /approval (Approved/Denied conditions only; the certificate kept) and
 * /status (the certificate and other conditions; Approved/Denied kept as they were).
 */
import { X509Certificate } from 'node:crypto';
import type { FieldError } from '../../apimachinery/errors.js';
import { forbiddenField, invalidValue, notSupported, now, required } from '../../apimachinery/meta.js';
import type { KubeObject } from '../../apimachinery/meta.js';
import { arr, at, rec, text } from '../printing.js';
import type { Requester, WriteTarget } from '../types.js';

type Condition = Record<string, unknown>;

const APPROVED = 'Approved';
const DENIED = 'Denied';
const FAILED = 'Failed';
/** These condition types may only have status True. */
const TRUE_ONLY = new Set([APPROVED, DENIED, FAILED]);

const conditionsOf = (o: KubeObject): Condition[] => arr(at(o, 'status.conditions'));
const ofType = (o: KubeObject, type: string) => conditionsOf(o).filter((c) => c['type'] === type);

/** Replaces the new object's conditions of `type` with the old ones, when their number is unchanged. */
function preserveConditions(next: KubeObject, old: KubeObject, type: string): void {
  const oldOnes = ofType(old, type);
  const conds = conditionsOf(next);
  const idx = conds.flatMap((c, i) => (c['type'] === type ? [i] : []));
  if (idx.length !== oldOnes.length) return;
  idx.forEach((at, i) => (conds[at] = structuredClone(oldOnes[i]!)));
}

/** lastUpdateTime defaults to now; lastTransitionTime to the old condition's when its status is unchanged. */
function populateTimestamps(next: KubeObject, old: KubeObject): void {
  const t = now();
  for (const c of conditionsOf(next)) {
    c['lastUpdateTime'] ??= t;
    if (c['lastTransitionTime'] === undefined || c['lastTransitionTime'] === null) {
      const same = conditionsOf(old).find(
        (o) =>
          o['type'] === c['type'] &&
          o['status'] === c['status'] &&
          o['lastTransitionTime'] !== undefined &&
          o['lastTransitionTime'] !== null,
      );
      c['lastTransitionTime'] = same ? same['lastTransitionTime'] : t;
    }
  }
}

/** A new request records who asked for it; the client's own values for these fields are replaced. */
export function prepareCsrCreate(obj: KubeObject, requester: Requester): void {
  const spec = rec((obj['spec'] ??= {}));
  spec['username'] = requester.name;
  if (requester.uid) spec['uid'] = requester.uid;
  else delete spec['uid'];
  spec['groups'] = [...requester.groups];
  if (requester.extra && Object.keys(requester.extra).length)
    spec['extra'] = structuredClone(requester.extra);
  else delete spec['extra'];
  delete obj['status'];
}

export function prepareCsrUpdate(next: KubeObject, old: KubeObject, target: WriteTarget): void {
  if (target === 'main') return;
  const status = rec((next['status'] ??= {}));
  if (target === 'approval') {
    const cert = at(old, 'status.certificate');
    if (cert === undefined) delete status['certificate'];
    else status['certificate'] = cert;
    preserveConditions(next, old, FAILED);
  } else {
    preserveConditions(next, old, APPROVED);
    preserveConditions(next, old, DENIED);
  }
  populateTimestamps(next, old);
}

/** Why a status.certificate is not a chain of PEM CERTIFICATE blocks, or undefined when it is. */
export function certificateProblem(base64: unknown): string | undefined {
  if (base64 === undefined || base64 === null || base64 === '') return undefined;
  const pem = Buffer.from(text(base64), 'base64').toString('latin1');
  const blocks = [...pem.matchAll(/-----BEGIN ([^-]+)-----\r?\n([\s\S]*?)-----END \1-----/g)];
  if (blocks.length === 0) return 'must contain at least one CERTIFICATE PEM block';
  for (const b of blocks) {
    if (b[1] !== 'CERTIFICATE') return `only CERTIFICATE PEM blocks are allowed, found "${b[1]}"`;
    if (/^[\w-]+:/m.test(b[2]!)) return 'no PEM block headers are permitted';
    try {
      new X509Certificate(b[0]);
    } catch (err) {
      return `x509: ${(err as Error).message}`;
    }
  }
  return undefined;
}

function conditionErrors(csr: KubeObject, old: KubeObject | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const oldConds = old ? conditionsOf(old) : [];
  const allowBoth =
    oldConds.some((c) => c['type'] === APPROVED) && oldConds.some((c) => c['type'] === DENIED);
  const oldTypes = oldConds.map((c) => c['type']);
  const allowDuplicates = new Set(oldTypes).size !== oldTypes.length;
  const allowEmptyType = oldTypes.some((t) => !t);
  const seen = new Set<unknown>();
  let approved = false;
  let denied = false;
  conditionsOf(csr).forEach((c, i) => {
    const p = `status.conditions[${i}]`;
    const type = c['type'];
    if (!type && !allowEmptyType) errs.push(required(`${p}.type`));
    const allowed = TRUE_ONLY.has(String(type)) ? ['True'] : ['False', 'True', 'Unknown'];
    if (!c['status']) errs.push(required(`${p}.status`));
    else if (!allowed.includes(text(c['status'])))
      errs.push(notSupported(`${p}.status`, c['status'], allowed));
    if (!allowBoth) {
      if (type === APPROVED) {
        approved = true;
        if (denied)
          errs.push(invalidValue(`${p}.type`, type, 'Approved and Denied conditions are mutually exclusive'));
      } else if (type === DENIED) {
        denied = true;
        if (approved)
          errs.push(invalidValue(`${p}.type`, type, 'Approved and Denied conditions are mutually exclusive'));
      }
    }
    if (!allowDuplicates) {
      if (seen.has(type))
        errs.push({
          type: 'FieldValueDuplicate',
          field: `${p}.type`,
          detail: `Duplicate value: ${JSON.stringify(type)}`,
        });
      seen.add(type);
    }
  });
  return errs;
}

/** Create and update validation of a CSR; `target` decides what an update may change. */
export function validateCsr(csr: KubeObject, old?: KubeObject, target: WriteTarget = 'main'): FieldError[] {
  const errs: FieldError[] = [];
  if (!at(csr, 'spec.request')) errs.push(required('spec.request'));
  if (!at(csr, 'spec.signerName')) errs.push(required('spec.signerName'));
  const exp = at(csr, 'spec.expirationSeconds');
  if (typeof exp === 'number' && exp < 600)
    errs.push(
      invalidValue(
        'spec.expirationSeconds',
        exp,
        'may not specify a duration less than 600 seconds (10 minutes)',
      ),
    );
  errs.push(...conditionErrors(csr, old));
  const cert = at(csr, 'status.certificate');
  const oldCert = old ? at(old, 'status.certificate') : undefined;
  const certChanged = (cert ?? '') !== (oldCert ?? '');
  if (certChanged || !old) {
    const problem = certificateProblem(cert);
    if (problem && !(old && certificateProblem(oldCert)))
      errs.push(invalidValue('status.certificate', '<certificate data>', problem));
  }
  if (!old) return errs;

  for (const t of [APPROVED, DENIED, FAILED])
    if (ofType(csr, t).length < ofType(old, t).length)
      errs.push(forbiddenField('status.conditions', `updates may not remove a condition of type "${t}"`));
  if (target !== 'approval') {
    for (const t of [APPROVED, DENIED]) {
      const [o, n] = [ofType(old, t), ofType(csr, t)];
      if (n.length > o.length)
        errs.push(forbiddenField('status.conditions', `updates may not add a condition of type "${t}"`));
      else if (n.length === o.length && JSON.stringify(n) !== JSON.stringify(o))
        errs.push(forbiddenField('status.conditions', `updates may not modify a condition of type "${t}"`));
    }
  }
  if (certChanged) {
    if (target !== 'status')
      errs.push(forbiddenField('status.certificate', 'updates may not set certificate content'));
    else if (oldCert)
      errs.push(forbiddenField('status.certificate', 'updates may not modify existing certificate content'));
  }
  return errs;
}
