import { describe, expect, it } from 'vitest';
import type { RegisteredKey } from '../../src/online/types.js';
import { explainTokenError, OAUTH_ERROR_CODES, oauthFindingCode, type ReportKnowledge, type TokenErrorInput } from '../../src/oauth/explain.js';
import type { Settled } from '../../src/pipeline/check.js';

const CLIENT_ID = '5f0c2d9e-8b1a-4c55-9d7e-3b2a1c0d9e8f';
const TOKEN_URL = 'https://threddid.com/oauth2/token';

function jwtInput(overrides: Partial<TokenErrorInput> & { aud?: string; kid?: string | null; lifetime?: number } = {}): TokenErrorInput {
  const { aud = TOKEN_URL, kid = 'kid-1', lifetime = 120, ...rest } = overrides;
  return {
    error: 'invalid_client',
    description: 'client authentication failed',
    authMethod: 'private_key_jwt',
    connectivity: 'tls',
    clientId: CLIENT_ID,
    tokenUrl: TOKEN_URL,
    scopes: [],
    assertion: {
      header: { alg: 'PS256', ...(kid !== null && { kid }) },
      claims: { iss: CLIENT_ID, sub: CLIENT_ID, aud, jti: 'j', iat: 1_800_000_000, exp: 1_800_000_000 + lifetime },
    },
    clockSkewMs: 400,
    clientCertificateSent: false,
    ...rest,
  };
}

function secretInput(overrides: Partial<TokenErrorInput> = {}): TokenErrorInput {
  return {
    error: 'invalid_client',
    description: 'client authentication failed',
    authMethod: 'client_secret_basic',
    connectivity: 'tls',
    clientId: CLIENT_ID,
    tokenUrl: TOKEN_URL,
    scopes: [],
    secret: { length: 43, surroundingWhitespace: false },
    clockSkewMs: 0,
    clientCertificateSent: false,
    ...overrides,
  };
}

describe('explainTokenError: invalid_client with private_key_jwt', () => {
  it.each([
    {
      name: 'the documented audience sent to the token URL',
      input: jwtInput({ aud: 'www.threddid.com/oauth2/token' }),
      message: [
        'the aud sent, "www.threddid.com/oauth2/token", is not the URL posted to, "https://threddid.com/oauth2/token"',
        'scheme none vs https, host www.threddid.com vs threddid.com',
      ],
      hint: /Remove signing\.audience/,
      lead: 'aud',
    },
    {
      name: 'a server clock far ahead',
      input: jwtInput({ clockSkewMs: -600_400 }),
      message: ["the token host's clock is 600 s ahead of this machine's, more than the lifetime of the assertion golive sent (120 s)", 'aud sent "https://threddid.com/oauth2/token", posted to "https://threddid.com/oauth2/token"'],
      hint: /NTP/,
      lead: 'clock',
    },
    {
      name: 'a local clock far ahead',
      input: jwtInput({ clockSkewMs: 90_000 }),
      message: ["this machine's clock is 90 s ahead of the token host's"],
      hint: /NTP/,
      lead: 'clock',
    },
    {
      name: 'no kid sent',
      input: jwtInput({ kid: null }),
      message: ['no kid was sent (signing.kid is unset)', 'not known (jwks.signing-key did not run)'],
      hint: /^Set signing\.kid to the KID the portal shows for the signing certificate\. Run `golive check --only jwks`/,
      lead: 'kid',
    },
    {
      name: 'a client id with a trailing newline',
      input: jwtInput({ clientId: `${CLIENT_ID}\n` }),
      message: [`client.id "${CLIENT_ID}\\n" ends with a line break ("\\n"): the platform compares client ids exactly`],
      hint: /^Remove the unseen characters from client\.id .*exactly as shown \(UUID or URL form\)\.$/,
      lead: 'client id',
    },
    {
      name: 'a kid with a trailing CRLF (from signing.kid)',
      input: jwtInput({ kid: 'kid-1\r\n' }),
      message: ['kid "kid-1\\r\\n" was sent: signing.kid ends with a line break ("\\r\\n"), so it names no registered key'],
      hint: /^Remove the unseen characters from signing\.kid where its value comes from/,
      lead: 'kid',
    },
    {
      name: 'an assertion golive finds nothing wrong with',
      input: jwtInput(),
      message: [
        "though it passes golive's own checks (signature, iss = sub = client id, clock, lifetime)",
        'does not hold this signing key under kid "kid-1" (jwks.signing-key did not run)',
        'aud sent "https://threddid.com/oauth2/token", posted to "https://threddid.com/oauth2/token"',
      ],
      hint: /^Run `golive check --only jwks` .*; if it is under the kid sent, .*www\.threddid\.com\/oauth2\/token/,
      lead: 'aud',
    },
  ])('$name', ({ input, message, hint, lead }) => {
    const explained = explainTokenError(input);
    for (const part of message) expect(explained.message).toContain(part);
    expect(explained.message).toContain('invalid_client: "client authentication failed"');
    expect(explained.hint).toMatch(hint);
    expect(explained.findings?.[0]?.cause).toBe(lead);
    expect(explained.findings?.map((finding) => finding.cause).sort()).toEqual(['alg', 'aud', 'client id', 'clock', 'kid', 'lifetime']);
  });

  it('names the other form of a client id: UUID vs URL ending in it', () => {
    const url = `https://threddid.com/clients/${CLIENT_ID}`;
    const fromUrl = explainTokenError(jwtInput({ clientId: url })).findings!.find((finding) => finding.cause === 'client id')!;
    expect(fromUrl.detail).toBe(`the client id is a URL form, "${url}": if the client is registered as the bare UUID "${CLIENT_ID}", that is the id to send`);
    const fromUuid = explainTokenError(jwtInput()).findings!.find((finding) => finding.cause === 'client id')!;
    expect(fromUuid.detail).toContain('is the bare UUID');
  });

  it('says when the clocks could not be compared', () => {
    const { findings } = explainTokenError(jwtInput({ clockSkewMs: undefined }));
    expect(findings!.find((finding) => finding.cause === 'clock')).toMatchObject({ verdict: 'possible', detail: expect.stringContaining('no Date header') });
  });
});

describe('explainTokenError: invalid_client with private_key_jwt, from what the report knows', () => {
  const registered = (overrides: Partial<RegisteredKey> = {}): RegisteredKey => ({ kid: 'kid-1', use: 'sig', matchedBy: 'thumbprint', jwk: { kty: 'RSA' }, ...overrides });
  const signingKey = (settled: Settled<RegisteredKey | undefined>): ReportKnowledge => ({ signingKey: settled, clockSkew: { status: 'pass', output: undefined } });
  const NOT_IN_REPORT = 'jwks.signing-key in this report';

  it.each<{ name: string; known: ReportKnowledge; kid?: string | null; message: string[]; hint: RegExp; verdicts: Record<string, string>; refersToSigningKey: boolean }>([
    {
      name: 'registered under the kid sent: the aud leads, the kid is ruled out',
      known: signingKey({ status: 'pass', output: registered() }),
      message: [`though it passes golive's own checks (signature, iss = sub = client id, clock, lifetime) and the organisation JWKS registers the signing key under the kid sent ("kid-1"): most likely the platform expects another aud`],
      hint: /^Set signing\.audience to the aud the platform expects \(Thredd's documentation writes "www\.threddid\.com\/oauth2\/token"\), then check that signing\.algorithm and client\.id are exactly as registered\.$/,
      verdicts: { kid: 'ruled out', alg: 'possible', aud: 'possible' },
      refersToSigningKey: false,
    },
    {
      name: 'registered for the alg used: alg ruled out too',
      known: signingKey({ status: 'pass', output: registered({ alg: 'PS256' }) }),
      message: ["though it passes golive's own checks (signature, iss = sub = client id, clock, alg, lifetime) and the organisation JWKS registers"],
      hint: /^Set signing\.audience/,
      verdicts: { kid: 'ruled out', alg: 'ruled out' },
      refersToSigningKey: false,
    },
    {
      name: 'registered for another alg: the alg leads',
      known: signingKey({ status: 'warn', code: 'alg-mismatch', output: registered({ alg: 'RS256' }) }),
      message: ['the assertion is signed with PS256, but the organisation JWKS registers this key for RS256 (jwks.signing-key: alg-mismatch)'],
      hint: /^Set signing\.algorithm to RS256, or register the key for PS256 in the portal\.$/,
      verdicts: { kid: 'ruled out', alg: 'likely' },
      refersToSigningKey: false,
    },
    {
      name: 'registered with an expired certificate',
      known: signingKey({ status: 'warn', code: 'registered-certificate-expired', output: registered() }),
      message: ['the organisation JWKS registers this signing key under kid "kid-1" with a certificate that has expired (jwks.signing-key: registered-certificate-expired)'],
      hint: /^Upload the current signing certificate in the portal: see jwks\.signing-key in this report\.$/,
      verdicts: { kid: 'likely' },
      refersToSigningKey: true,
    },
    {
      name: 'not registered',
      known: signingKey({ status: 'fail', code: 'key-not-registered', output: undefined }),
      message: ['the organisation JWKS does not hold this signing key (jwks.signing-key: key-not-registered), so the platform has no key to verify the assertion with'],
      hint: /^Register the signing certificate in the portal for this organisation and environment, or point signing\.privateKey at the registered key: see jwks\.signing-key in this report\.$/,
      verdicts: { kid: 'likely' },
      refersToSigningKey: true,
    },
    {
      name: 'not registered, and no kid sent',
      known: signingKey({ status: 'fail', code: 'key-not-registered', output: undefined }),
      kid: null,
      message: ['so the platform has no key to verify the assertion with, and no kid was sent'],
      hint: /^Register the signing certificate/,
      verdicts: { kid: 'likely' },
      refersToSigningKey: true,
    },
    {
      name: 'registered under another kid',
      known: signingKey({ status: 'fail', code: 'kid-mismatch', output: undefined }),
      message: ['kid "kid-1" was sent, but the organisation JWKS registers this signing key under another kid (jwks.signing-key: kid-mismatch)'],
      hint: /^Set signing\.kid to the kid jwks\.signing-key reports for this key, or remove signing\.kid so golive sends it\.$/,
      verdicts: { kid: 'likely' },
      refersToSigningKey: false,
    },
    {
      name: 'registered, but not for signatures',
      known: signingKey({ status: 'fail', code: 'use-not-sig', output: undefined }),
      message: ['the organisation JWKS registers this signing key, but not for signatures (jwks.signing-key: use-not-sig)'],
      hint: /^Register the signing certificate as a signing key \(use "sig"\) in the portal: see jwks\.signing-key in this report\.$/,
      verdicts: { kid: 'likely' },
      refersToSigningKey: true,
    },
    {
      name: 'registered without a kid, and none sent',
      known: signingKey({ status: 'warn', code: 'no-kid', output: registered({ kid: undefined }) }),
      kid: null,
      message: ['no kid was sent: the organisation JWKS registers this signing key without a kid'],
      hint: /^Re-register the signing certificate in the portal so the JWKS lists it under a kid: see jwks\.signing-key in this report\.$/,
      verdicts: { kid: 'likely' },
      refersToSigningKey: true,
    },
    {
      name: 'jwks.signing-key failed otherwise: not known, pointing at it',
      known: signingKey({ status: 'fail', code: 'internal-error', output: undefined }),
      message: ['most likely the platform does not hold this signing key under kid "kid-1" (jwks.signing-key failed (internal-error)), or expects another aud'],
      hint: /^See jwks\.signing-key in this report; if it is under the kid sent/,
      verdicts: { kid: 'possible' },
      refersToSigningKey: true,
    },
    {
      name: 'the JWKS could not be read: jwks.fetch named, jwks.signing-key not',
      known: signingKey({ status: 'skip', skipReason: 'need-failed', output: undefined }),
      message: ['most likely the platform does not hold this signing key under kid "kid-1" (the organisation JWKS could not be read), or expects another aud'],
      hint: /^Fix what jwks\.fetch reports in this report, or compare signing\.kid with the KID the portal shows for the signing certificate; if it is under the kid sent/,
      verdicts: { kid: 'possible' },
      refersToSigningKey: false,
    },
    {
      name: 'jwks.signing-key skipped by --skip',
      known: signingKey({ status: 'skip', skipReason: 'not-selected', output: undefined }),
      message: ['(jwks.signing-key did not run)'],
      hint: /^Run `golive check --only jwks` to see whether the signing key is registered and under which kid; if it is under the kid sent/,
      verdicts: { kid: 'possible' },
      refersToSigningKey: false,
    },
    {
      name: 'no kid sent and the JWKS could not be read',
      known: signingKey({ status: 'skip', skipReason: 'need-failed', output: undefined }),
      kid: null,
      message: ['no kid was sent (signing.kid is unset), so the platform must guess which registered key verifies the assertion; which kid the organisation JWKS registers this key under is not known (the organisation JWKS could not be read)'],
      hint: /^Set signing\.kid to the KID the portal shows for the signing certificate\. Fix what jwks\.fetch reports/,
      verdicts: { kid: 'likely' },
      refersToSigningKey: false,
    },
  ])('$name', ({ known, kid, message, hint, verdicts, refersToSigningKey }) => {
    const explained = explainTokenError(jwtInput({ known, ...(kid !== undefined && { kid }) }));
    for (const part of message) expect(explained.message).toContain(part);
    expect(explained.hint).toMatch(hint);
    for (const [cause, verdict] of Object.entries(verdicts)) expect(explained.findings!.find((finding) => finding.cause === cause)?.verdict, cause).toBe(verdict);
    expect(`${explained.message} ${explained.hint}`.includes(NOT_IN_REPORT)).toBe(refersToSigningKey);
  });

  it.each([
    ['clock.skew ran', { status: 'warn', code: 'clock-skew', output: undefined }, /then rerun; see clock\.skew in this report\.$/],
    ['clock.skew skipped', { status: 'skip', skipReason: 'not-selected', output: undefined }, /then rerun\.$/],
  ] as const)('the clock hint points at clock.skew only when %s', (_name, clockSkew, hint) => {
    const explained = explainTokenError(jwtInput({ clockSkewMs: -600_000, known: { clockSkew } }));
    expect(explained.findings![0]).toMatchObject({ cause: 'clock', verdict: 'likely' });
    expect(explained.hint).toMatch(hint);
  });
});

describe('explainTokenError: invalid_client with a secret', () => {
  it.each([
    ['client_secret_basic', secretInput(), /client_secret_post rather than client_secret_basic/, /portal.*try client\.authMethod: client_secret_post/],
    ['client_secret_post', secretInput({ authMethod: 'client_secret_post' }), /client_secret_basic rather than client_secret_post/, /try client\.authMethod: client_secret_basic/],
  ])('%s', (_name, input, message, hint) => {
    const explained = explainTokenError(input);
    expect(explained.message).toMatch(message);
    expect(explained.message).toContain(`client "${CLIENT_ID}"`);
    expect(explained.hint).toMatch(hint);
  });

  it.each([
    [
      'a secret with a trailing line break: named by its length and where, never shown',
      secretInput({ secret: { length: 44, surroundingWhitespace: true, unseen: 'ends with a line break' } }),
      'The token endpoint refused the client credentials (invalid_client: "client authentication failed"): client.secret (44 characters) ends with a line break, most likely copied with it.',
      'Remove the unseen characters from client.secret where its value comes from (the variable, the env file: check quotes and CRLF line ends, or the config).',
    ],
    [
      'a client id with a leading zero-width space',
      secretInput({ clientId: `\u200b${CLIENT_ID}` }),
      `The token endpoint refused the client credentials (invalid_client: "client authentication failed"): client.id "\\u200b${CLIENT_ID}" starts with an invisible character ("\\u200b"): the platform compares client ids exactly.`,
      'Remove the unseen characters from client.id where its value comes from (the variable, the env file: check quotes and CRLF line ends, or the config); copy the client id from the portal exactly as shown (UUID or URL form).',
    ],
  ])('%s', (_name, input, message, hint) => {
    const explained = explainTokenError(input);
    expect(explained.message).toBe(message);
    expect(explained.hint).toBe(hint);
  });
});

describe('explainTokenError: other OAuth errors', () => {
  it.each([
    ['invalid_request', secretInput({ error: 'invalid_request', description: 'invalid authorization header value format' }), /rejected the request as malformed/, /printable ASCII/],
    ['invalid_request (assertion)', jwtInput({ error: 'invalid_request', description: 'client_assertion must be a JWT' }), /malformed/, /decoded header and claims/],
    ['unauthorized_client', secretInput({ error: 'unauthorized_client', description: undefined }), /is not allowed to use this grant/, /client credentials grant to be enabled/],
    ['unsupported_grant_type', secretInput({ error: 'unsupported_grant_type' }), /does not support the client_credentials grant/, /endpoints\.token/],
    ['invalid_scope', secretInput({ error: 'invalid_scope', scopes: ['cards:read', 'cards:write'] }), /refused the requested scopes "cards:read", "cards:write"/, /client\.scopes/],
    [
      'invalid_grant on mTLS with the certificate presented',
      secretInput({ error: 'invalid_grant', description: 'grant request is invalid', connectivity: 'mtls', clientCertificateSent: true }),
      /certificate-bound tokens.*golive presented the transport certificate/,
      /mTLS token endpoint/,
    ],
    [
      'invalid_grant on mTLS without a certificate',
      secretInput({ error: 'invalid_grant', connectivity: 'mtls', clientCertificateSent: false }),
      /golive had no transport certificate to present/,
      /mTLS token endpoint/,
    ],
    [
      'invalid_grant on TLS naming the certificate',
      secretInput({ error: 'invalid_grant', description: 'mutual TLS client certificate not provided' }),
      /this config uses TLS without one/,
      /connectivity: mtls/,
    ],
    ['an unknown error code', secretInput({ error: 'temporarily_unavailable', description: 'try later' }), /OAuth error temporarily_unavailable: "try later"/, /error_description/],
  ])('%s', (_name, input, message, hint) => {
    const explained = explainTokenError(input);
    expect(explained.message).toMatch(message);
    expect(explained.hint).toMatch(hint);
  });

  it.each(OAUTH_ERROR_CODES.map((code) => [code]))('%s: message and hint are sentences', (code) => {
    for (const input of [jwtInput({ error: code }), secretInput({ error: code })]) {
      const explained = explainTokenError(input);
      expect(explained.message).toMatch(/^[A-Z].*\.$/s);
      expect(explained.hint).toMatch(/^[A-Z].*\.$/s);
    }
  });
});

describe('oauthFindingCode', () => {
  it.each([
    ['invalid_request', 'oauth-invalid-request'],
    ['invalid_client', 'oauth-invalid-client'],
    ['invalid_grant', 'oauth-invalid-grant'],
    ['unauthorized_client', 'oauth-unauthorized-client'],
    ['unsupported_grant_type', 'oauth-unsupported-grant-type'],
    ['invalid_scope', 'oauth-invalid-scope'],
    ['temporarily_unavailable', 'oauth-error'],
    ['Invalid_Client', 'oauth-error'],
    ['invalid client', 'oauth-error'],
    ['constructor', 'oauth-error'],
    ['', 'oauth-error'],
  ])('%j gives %s', (error, code) => {
    expect(oauthFindingCode(error)).toBe(code);
  });

  it('every standard error has its own code, lowercase words joined by hyphens', () => {
    const codes = OAUTH_ERROR_CODES.map(oauthFindingCode);
    expect(new Set(codes).size).toBe(OAUTH_ERROR_CODES.length);
    for (const code of codes) expect(code).toMatch(/^oauth-[a-z0-9]+(-[a-z0-9]+)*$/);
  });
});
