import { randomUUID, type KeyObject } from 'node:crypto';
import { THREDD } from '../profiles/thredd.js';
import { loadJose } from './jose.js';
import { decodeJwt } from './jwt.js';
import { ASSERTION_LIFETIME_SECONDS } from './lifetime.js';

export { ASSERTION_LIFETIME_SECONDS };

export interface AssertionHeader {
  alg: string;
  kid?: string;
}

export interface AssertionClaims {
  iss: string;
  sub: string;
  aud: string;
  jti: string;
  iat: number;
  exp: number;
}

export interface AssertionInput {
  clientId: string;
  audience: string;
  algorithm: string;
  /** Omitted from the header when undefined. */
  kid?: string;
  privateKey: KeyObject;
  /** Milliseconds since the epoch. */
  now: number;
  lifetimeSeconds?: number;
}

export interface BuiltAssertion {
  /** The compact JWS: a credential, never to be reported. */
  assertion: string;
  header: AssertionHeader;
  claims: AssertionClaims;
}

export type AssertionBuildResult = { ok: true; value: BuiltAssertion } | { ok: false; code: string; reason: string };

/** The RFC 7523 client assertion, signed with jose. A key jose refuses is a result, not a throw. */
export async function buildClientAssertion(input: AssertionInput): Promise<AssertionBuildResult> {
  const { SignJWT } = await loadJose();
  const iat = Math.floor(input.now / 1000);
  const header: AssertionHeader = { alg: input.algorithm, ...(input.kid !== undefined && { kid: input.kid }) };
  const claims: AssertionClaims = {
    iss: input.clientId,
    sub: input.clientId,
    aud: input.audience,
    jti: randomUUID(),
    iat,
    exp: iat + (input.lifetimeSeconds ?? ASSERTION_LIFETIME_SECONDS),
  };
  try {
    const assertion = await new SignJWT({ ...claims }).setProtectedHeader({ ...header }).sign(input.privateKey);
    return { ok: true, value: { assertion, header, claims } };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return {
      ok: false,
      code: typeof code === 'string' ? code : 'ERR_SIGN',
      reason: error instanceof Error ? error.message : String(error),
    };
  }
}

export type AssertionProblemCode = 'format' | 'alg' | 'kid' | 'signature' | 'iss' | 'sub' | 'aud' | 'jti' | 'iat' | 'exp' | 'lifetime';

export interface AssertionProblem {
  code: AssertionProblemCode;
  detail: string;
}

export interface AssertionExpectations {
  clientId: string;
  audience: string;
  algorithm: string;
  kid?: string;
  /** The signing certificate's public key. */
  publicKey: KeyObject;
  /** Milliseconds since the epoch. */
  now: number;
}

const isWholeSeconds = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value);

/**
 * Reads back an assertion before it is sent, as the platform will: the
 * signature against the certificate's public key, then each rule of the
 * contract (iss = sub = client id as exact strings, aud, a jti, iat and exp
 * in whole seconds at most 5 minutes apart). An empty list means sound.
 */
export async function selfCheckAssertion(assertion: string, expected: AssertionExpectations): Promise<AssertionProblem[]> {
  const decoded = decodeJwt(assertion);
  if (!decoded) return [{ code: 'format', detail: 'the assertion is not a compact JWS with a JSON header and claims' }];
  const { header, claims } = decoded;
  const problems: AssertionProblem[] = [];
  if (header.alg !== expected.algorithm) {
    problems.push({ code: 'alg', detail: `header alg is ${JSON.stringify(header.alg)}, signing.algorithm is ${expected.algorithm}` });
  }
  if (header.kid !== expected.kid) {
    problems.push({ code: 'kid', detail: `header kid is ${JSON.stringify(header.kid)}, expected ${JSON.stringify(expected.kid)}` });
  }
  const { compactVerify } = await loadJose();
  try {
    await compactVerify(assertion, expected.publicKey, { algorithms: [expected.algorithm] });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    problems.push({
      code: 'signature',
      detail: `the signature does not verify with the signing certificate's public key (${typeof code === 'string' ? code : 'error'})`,
    });
  }
  for (const name of ['iss', 'sub'] as const) {
    if (claims[name] !== expected.clientId) {
      problems.push({ code: name, detail: `${name} is ${JSON.stringify(claims[name])}, the client id is ${JSON.stringify(expected.clientId)}` });
    }
  }
  if (claims.aud !== expected.audience) {
    problems.push({ code: 'aud', detail: `aud is ${JSON.stringify(claims.aud)}, expected ${JSON.stringify(expected.audience)}` });
  }
  if (typeof claims.jti !== 'string' || claims.jti.length < 16) {
    problems.push({ code: 'jti', detail: 'jti is missing or too short to be unique' });
  }
  const nowSeconds = Math.floor(expected.now / 1000);
  const { iat, exp } = claims;
  if (!isWholeSeconds(iat)) problems.push({ code: 'iat', detail: `iat is ${JSON.stringify(iat)}, not whole seconds since the epoch` });
  else if (Math.abs(iat - nowSeconds) > 5) problems.push({ code: 'iat', detail: `iat ${iat} is not the current time ${nowSeconds}` });
  if (!isWholeSeconds(exp)) problems.push({ code: 'exp', detail: `exp is ${JSON.stringify(exp)}, not whole seconds since the epoch` });
  else if (exp <= nowSeconds) problems.push({ code: 'exp', detail: `exp ${exp} is not in the future` });
  if (isWholeSeconds(iat) && isWholeSeconds(exp)) {
    const lifetime = exp - iat;
    if (lifetime <= 0 || lifetime > THREDD.assertionMaxLifetimeSeconds) {
      problems.push({ code: 'lifetime', detail: `exp − iat is ${lifetime} s; the platform accepts 1 to ${THREDD.assertionMaxLifetimeSeconds} s` });
    }
  }
  return problems;
}
