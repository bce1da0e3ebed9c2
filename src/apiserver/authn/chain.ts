/**
 * Authentication: a chain of authenticators tried in order. The first that recognises the request's
 * credentials decides; a credential that is presented but invalid fails the request with 401.
 */
import type { Req } from '../http/io.js';
import type { UserInfo } from './user.js';

export type AuthnResult = { user: UserInfo } | { error: string } | undefined;

export interface Authenticator {
  name: string;
  authenticate(req: Req): AuthnResult | Promise<AuthnResult>;
}

export class AuthenticatorChain {
  constructor(private readonly authenticators: Authenticator[]) {}

  /** The user, or an error message for 401, or undefined when no credentials were presented. */
  async authenticate(req: Req): Promise<AuthnResult> {
    for (const a of this.authenticators) {
      const r = await a.authenticate(req);
      if (r) return r;
    }
    return undefined;
  }
}
