import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { ASSERTION_LIFETIME_SECONDS, buildClientAssertion, selfCheckAssertion, type AssertionExpectations } from '../../src/oauth/assertion.js';
import { decodeJwt } from '../../src/oauth/jwt.js';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const otherRsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });

const CLIENT_ID = '5f0c2d9e-8b1a-4c55-9d7e-3b2a1c0d9e8f';
const TOKEN_URL = 'https://threddid.com/oauth2/token';
// Mid-second on purpose: claims must still be whole seconds.
const NOW = Date.UTC(2026, 10, 28, 10, 0, 0, 678);

async function built(overrides: { algorithm?: string; kid?: string; privateKey?: KeyObject; lifetimeSeconds?: number } = {}) {
  const result = await buildClientAssertion({
    clientId: CLIENT_ID,
    audience: TOKEN_URL,
    algorithm: overrides.algorithm ?? 'PS256',
    kid: overrides.kid,
    privateKey: overrides.privateKey ?? rsa.privateKey,
    now: NOW,
    ...(overrides.lifetimeSeconds !== undefined && { lifetimeSeconds: overrides.lifetimeSeconds }),
  });
  if (!result.ok) throw new Error(result.reason);
  return result.value;
}

const expectations = (overrides: Partial<AssertionExpectations> = {}): AssertionExpectations => ({
  clientId: CLIENT_ID,
  audience: TOKEN_URL,
  algorithm: 'PS256',
  publicKey: rsa.publicKey,
  now: NOW,
  ...overrides,
});

describe('buildClientAssertion', () => {
  it.each([
    ['PS256', rsa.privateKey, rsa.publicKey],
    ['RS256', rsa.privateKey, rsa.publicKey],
    ['ES256', ec.privateKey, ec.publicKey],
  ] as const)('%s: header alg and kid; iss = sub = client id, aud, jti, whole-second iat and exp', async (algorithm, privateKey, publicKey) => {
    const { assertion, header, claims } = await built({ algorithm, privateKey, kid: 'kid-1' });
    expect(header).toEqual({ alg: algorithm, kid: 'kid-1' });
    expect(claims).toEqual({
      iss: CLIENT_ID,
      sub: CLIENT_ID,
      aud: TOKEN_URL,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      iat: Math.floor(NOW / 1000),
      exp: Math.floor(NOW / 1000) + ASSERTION_LIFETIME_SECONDS,
    });
    expect(decodeJwt(assertion)).toEqual({ header, claims });
    expect(await selfCheckAssertion(assertion, expectations({ algorithm, kid: 'kid-1', publicKey }))).toEqual([]);
  });

  it('omits kid from the header when none is configured', async () => {
    const { assertion, header } = await built();
    expect(header).toEqual({ alg: 'PS256' });
    expect(decodeJwt(assertion)?.header).toEqual({ alg: 'PS256' });
  });

  it('uses a fresh jti for every assertion', async () => {
    const jtis = await Promise.all(Array.from({ length: 20 }, async () => (await built()).claims.jti));
    expect(new Set(jtis).size).toBe(20);
  });

  it('lives well inside the 5-minute limit', () => {
    expect(ASSERTION_LIFETIME_SECONDS).toBeGreaterThan(0);
    expect(ASSERTION_LIFETIME_SECONDS).toBeLessThanOrEqual(300);
  });

  it('returns jose\'s refusal of an algorithm that does not fit the key as a result', async () => {
    const result = await buildClientAssertion({ clientId: CLIENT_ID, audience: TOKEN_URL, algorithm: 'ES256', privateKey: rsa.privateKey, now: NOW });
    expect(result).toMatchObject({ ok: false, code: expect.stringMatching(/^ERR_/) });
  });
});

/** An assertion with chosen claims, signed as a broken builder would. */
async function forged(claims: Record<string, unknown>, header: Record<string, unknown> = { alg: 'PS256' }, key: KeyObject = rsa.privateKey) {
  const base = { iss: CLIENT_ID, sub: CLIENT_ID, aud: TOKEN_URL, jti: 'b1946ac9-2f4e-4c55-9d7e-3b2a1c0d9e8f', iat: Math.floor(NOW / 1000), exp: Math.floor(NOW / 1000) + 60 };
  return new SignJWT({ ...base, ...claims }).setProtectedHeader(header as { alg: string }).sign(key);
}

describe('selfCheckAssertion', () => {
  it.each([
    ['a signature by another key', () => forged({}, { alg: 'PS256' }, otherRsa.privateKey), ['signature']],
    ['iss as the URL form of the client id', () => forged({ iss: `https://threddid.com/clients/${CLIENT_ID}` }), ['iss']],
    ['sub with a trailing newline', () => forged({ sub: `${CLIENT_ID}\n` }), ['sub']],
    ['the documented audience instead of the token URL', () => forged({ aud: 'www.threddid.com/oauth2/token' }), ['aud']],
    ['no jti', () => forged({ jti: undefined }), ['jti']],
    ['milliseconds in iat and exp', () => forged({ iat: NOW, exp: NOW + 60_000 }), ['iat', 'lifetime']],
    ['fractional seconds', () => forged({ iat: NOW / 1000, exp: NOW / 1000 + 60 }), ['iat', 'exp']],
    ['a lifetime over 5 minutes', () => forged({ exp: Math.floor(NOW / 1000) + 301 }), ['lifetime']],
    ['an exp already past', () => forged({ iat: Math.floor(NOW / 1000) - 200, exp: Math.floor(NOW / 1000) - 100 }), ['iat', 'exp']],
    ['another alg than configured', () => forged({}, { alg: 'RS256' }), ['alg', 'signature']],
    ['a kid that is not the configured one', () => forged({}, { alg: 'PS256', kid: 'other' }), ['kid']],
  ] as const)('flags %s', async (_name, make, codes) => {
    const problems = await selfCheckAssertion(await make(), expectations());
    expect(problems.map((problem) => problem.code)).toEqual(codes);
    for (const problem of problems) expect(problem.detail.length).toBeGreaterThan(10);
  });

  it('flags a string that is not a JWS', async () => {
    expect(await selfCheckAssertion('not-a-jwt', expectations())).toEqual([{ code: 'format', detail: expect.any(String) }]);
  });
});
