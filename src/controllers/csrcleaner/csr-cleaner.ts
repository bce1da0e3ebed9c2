/**
 * The CSR cleaner: removes certificate signing requests nobody will act on any more, with
 * kube-controller-manager's ages: approved or denied or failed requests after an hour, pending ones
 * after a day, and any whose issued certificate has expired. It sweeps every hour.
 */
import { X509Certificate } from 'node:crypto';
import { isStatusError } from '../../apimachinery/errors.js';
import type { Informer } from '../../client/informer.js';
import type { CertificateSigningRequest } from '../../client/objects.js';
import { CERTIFICATE_SIGNING_REQUESTS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest.js';
import type { Logger } from '../../util/log.js';
import type { Controller, ControllerContext } from '../controller.js';

const HOUR = 60 * 60 * 1000;
export const APPROVED_EXPIRATION_MS = HOUR;
export const DENIED_EXPIRATION_MS = HOUR;
export const PENDING_EXPIRATION_MS = 24 * HOUR;
const SWEEP_MS = HOUR;

/** Why `csr` should be removed at `nowMs`, or undefined to keep it. */
export function csrExpiry(csr: CertificateSigningRequest, nowMs: number): string | undefined {
  const created = Date.parse(csr.metadata.creationTimestamp);
  const conditions = csr.status?.conditions ?? [];
  const since = (type: string) => {
    const c = conditions.find((x) => x.type === type);
    if (!c) return undefined;
    const t = Date.parse(String(c.lastUpdateTime ?? c.lastTransitionTime ?? csr.metadata.creationTimestamp));
    return Number.isNaN(t) ? created : t;
  };
  const cert = csr.status?.certificate;
  if (cert) {
    try {
      const pem = Buffer.from(cert, 'base64').toString();
      if (Date.parse(new X509Certificate(pem).validTo) < nowMs) return 'its certificate has expired';
    } catch {
      // Not a parseable certificate: judged by its conditions alone.
    }
  }
  for (const [type, ttl] of [
    ['Approved', APPROVED_EXPIRATION_MS],
    ['Denied', DENIED_EXPIRATION_MS],
    ['Failed', DENIED_EXPIRATION_MS],
  ] as const) {
    const at = since(type);
    if (at !== undefined && at + ttl < nowMs) return `${type.toLowerCase()} more than an hour ago`;
  }
  const decided = ['Approved', 'Denied', 'Failed'].some((t) => since(t) !== undefined);
  if (!decided && created + PENDING_EXPIRATION_MS < nowMs) return 'pending for more than a day';
  return undefined;
}

export class CsrCleaner implements Controller {
  readonly name = 'csrcleaner';
  private readonly client: RestClient;
  private readonly log: Logger;
  private readonly csrs: Informer<CertificateSigningRequest>;

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.log = ctx.log('csrcleaner');
    this.csrs = ctx.informers.for<CertificateSigningRequest>(CERTIFICATE_SIGNING_REQUESTS);
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.sweep(Date.now());
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, SWEEP_MS);
        signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
      });
    }
  }

  async sweep(nowMs: number): Promise<void> {
    for (const csr of this.csrs.list()) {
      const why = csrExpiry(csr, nowMs);
      if (!why) continue;
      try {
        await this.client.delete(CERTIFICATE_SIGNING_REQUESTS, undefined, csr.metadata.name, {
          preconditions: { uid: csr.metadata.uid },
        });
        this.log.info('removed certificate signing request', { name: csr.metadata.name, why });
      } catch (err) {
        if (!isStatusError(err, 'NotFound') && !isStatusError(err, 'Conflict'))
          this.log.warn('could not remove certificate signing request', { name: csr.metadata.name, err });
      }
    }
  }
}
