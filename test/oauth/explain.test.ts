import { describe, expect, it } from 'vitest';
import { explainTokenError, OAUTH_ERROR_CODES, oauthFindingCode, type TokenErrorInput } from '../../src/oauth/explain.js';

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
      message: ["the token host's clock is 600 s ahead of this machine's, more than the assertion's 120 s lifetime", 'aud sent "https://threddid.com/oauth2/token", posted to "https://threddid.com/oauth2/token"'],
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
      message: ['no kid was sent (signing.kid is unset)'],
      hint: /see jwks\.signing-key in this report/,
      lead: 'kid',
    },
    {
      name: 'a client id with a trailing newline',
      input: jwtInput({ clientId: `${CLIENT_ID}\n` }),
      message: ['has surrounding whitespace'],
      hint: /exactly as shown \(UUID or URL form\)/,
      lead: 'client id',
    },
    {
      name: 'an assertion golive finds nothing wrong with',
      input: jwtInput(),
      message: [
        "though it passes golive's own checks (signature, iss = sub = client id, clock, lifetime)",
        'does not hold this signing key under kid "kid-1"',
        'aud sent "https://threddid.com/oauth2/token", posted to "https://threddid.com/oauth2/token"',
      ],
      hint: /See jwks\.signing-key in this report.*www\.threddid\.com\/oauth2\/token/,
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

describe('explainTokenError: invalid_client with a secret', () => {
  it.each([
    ['client_secret_basic', secretInput(), /client_secret_post rather than client_secret_basic/, /portal.*try client\.authMethod: client_secret_post/],
    ['client_secret_post', secretInput({ authMethod: 'client_secret_post' }), /client_secret_basic rather than client_secret_post/, /try client\.authMethod: client_secret_basic/],
    ['a secret with surrounding whitespace', secretInput({ secret: { length: 44, surroundingWhitespace: true } }), /the secret \(44 characters\)/, /Remove the surrounding whitespace/],
  ])('%s', (_name, input, message, hint) => {
    const explained = explainTokenError(input);
    expect(explained.message).toMatch(message);
    expect(explained.message).toContain(`client "${CLIENT_ID}"`);
    expect(explained.hint).toMatch(hint);
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
