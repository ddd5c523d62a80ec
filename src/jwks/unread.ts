import type { AuthMethod, ResolvedConfig } from '../config/types.js';
import type { FetchedJwks } from '../online/types.js';
import type { CheckOutcome } from '../pipeline/check.js';
import type { RunContext } from '../pipeline/context.js';

/**
 * What jwks.fetch hands on when it could not read the key set of a client
 * whose token request does not depend on it: the checks that compare keys
 * with the set say it could not be read, rather than compare with nothing.
 */
export interface UnreadJwks {
  unread: true;
  url: string;
  /** jwks.fetch's finding. */
  code: string;
  config: ResolvedConfig;
}

/** The output of jwks.fetch. */
export type JwksOutput = FetchedJwks | UnreadJwks;

export function isUnread(jwks: JwksOutput): jwks is UnreadJwks {
  return 'unread' in jwks;
}

/**
 * The platform verifies private_key_jwt assertions with the organisation
 * JWKS; a client_secret_* client authenticates with its secret, so its token
 * request does not depend on the JWKS (only the registration of an mTLS
 * transport certificate is read from it).
 */
export function tokenRequestUsesJwks(authMethod: AuthMethod): boolean {
  return authMethod === 'private_key_jwt';
}

type FetchJwks = (ctx: RunContext, deps: { 'config.consistency': ResolvedConfig }) => Promise<CheckOutcome<FetchedJwks>>;

/**
 * jwks.fetch's result as the client depends on it: for a client_secret_*
 * client a key set that cannot be read informs (warn, same code and
 * evidence) and does not fail the run.
 */
export function asTheClientDependsOnIt(fetch: FetchJwks) {
  return async (ctx: RunContext, deps: { 'config.consistency': ResolvedConfig }): Promise<CheckOutcome<JwksOutput>> => {
    const outcome = await fetch(ctx, deps);
    const config = deps['config.consistency'];
    const { authMethod } = config.client;
    if (outcome.status !== 'fail' || tokenRequestUsesJwks(authMethod)) return outcome;
    const unread: UnreadJwks = { unread: true, url: config.endpoints.jwks, code: outcome.code ?? 'jwks-unread', config };
    return {
      ...outcome,
      status: 'warn',
      message: `${outcome.message ?? 'The organisation JWKS could not be read.'} A ${authMethod} client's token request does not depend on the JWKS, so this does not stop it.`,
      hint: `${outcome.hint ?? ''} Only private_key_jwt clients (the platform verifies their assertions with it) and the registration of a transport certificate (mTLS) depend on the JWKS.`.trimStart(),
      output: unread,
    };
  };
}

/** The result of a key check that had no key set to compare with: skipped, naming why, never a pass. */
export function unreadSkip(jwks: UnreadJwks, unknown: string): CheckOutcome<never> {
  return { status: 'skip', skipReason: 'need-failed', message: `needs jwks.fetch, which could not read the JWKS (${jwks.code}): ${unknown} is not known` };
}
