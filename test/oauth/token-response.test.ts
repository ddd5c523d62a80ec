import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTokenAnswer } from '../../src/oauth/token-response.js';
import { decodeJwt } from '../../src/oauth/jwt.js';
import { grantedScopes, viewAccessToken } from '../../src/oauth/access-token.js';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const TOKEN = 'opaque-token-value-1234567890';

describe('parseTokenAnswer', () => {
  it.each([
    [
      'a token response',
      200,
      json({ access_token: TOKEN, token_type: 'Bearer', expires_in: 3600, scope: 'a b', refresh_token: 'r' }),
      { kind: 'token', accessToken: TOKEN, tokenType: 'Bearer', expiresIn: 3600, scope: 'a b', members: { token_type: 'Bearer', expires_in: 3600, scope: 'a b' } },
    ],
    [
      'an OAuth error',
      401,
      json({ error: 'invalid_client', error_description: 'client authentication failed' }),
      { kind: 'oauth-error', status: 401, error: 'invalid_client', description: 'client authentication failed' },
    ],
    ['an OAuth error with status 200', 200, json({ error: 'invalid_scope' }), { kind: 'oauth-error', status: 200, error: 'invalid_scope' }],
    ['200 without access_token', 200, json({ token_type: 'Bearer' }), { kind: 'no-access-token', memberNames: ['token_type'], reason: 'it has no access_token member' }],
    ['200 with a numeric access_token', 200, json({ access_token: 5 }), { kind: 'no-access-token', reason: 'its access_token is a number, not a string' }],
    ['200 with an empty access_token', 200, json({ access_token: '' }), { kind: 'no-access-token', reason: 'its access_token is empty' }],
    [
      '200 with HTML',
      200,
      Buffer.from('<html><body>upstream connect error</body></html>'),
      { kind: 'not-json', bytes: 48, preview: '<html><body>upstream connect error</body></html>', formEncoded: false },
    ],
    ['a form-encoded token, never previewed', 200, Buffer.from(`access_token=${TOKEN}&token_type=bearer`), { kind: 'not-json', formEncoded: true }],
    ['a JSON array', 200, json([1, 2]), { kind: 'not-json' }],
    ['an empty body', 502, Buffer.alloc(0), { kind: 'not-json', status: 502, bytes: 0 }],
    ['a Thredd error body', 500, json({ type: 't', title: 'Server error', status: 500, traceId: '00-ab' }), { kind: 'http-error', status: 500, members: { traceId: '00-ab' } }],
  ])('%s', (_name, status, body, expected) => {
    expect(parseTokenAnswer(status, 'application/json', body)).toMatchObject(expected);
  });

  it('never previews a body that holds a JWT', () => {
    const answer = parseTokenAnswer(200, 'text/plain', Buffer.from('token: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig'));
    expect(answer).toMatchObject({ kind: 'not-json' });
    expect(answer).not.toHaveProperty('preview');
  });
});

const STATUS = fc.integer({ min: 100, max: 599 });
const CREDENTIAL_MEMBERS = ['access_token', 'refresh_token', 'id_token'];

/** Objects shaped like token responses, with every member sometimes missing or of the wrong type. */
const tokenLike = fc.record(
  {
    access_token: fc.oneof(fc.string(), fc.jsonValue()),
    token_type: fc.oneof(fc.constantFrom('Bearer', 'bearer', 'DPoP', 'mac'), fc.jsonValue()),
    expires_in: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.jsonValue()),
    scope: fc.oneof(fc.string(), fc.jsonValue()),
    error: fc.oneof(fc.constantFrom('invalid_client', 'invalid_scope', ''), fc.jsonValue()),
    error_description: fc.jsonValue(),
    refresh_token: fc.string(),
  },
  { requiredKeys: [] },
);

describe('parseTokenAnswer properties', () => {
  it('never throws on arbitrary bytes, and says how many it got', () => {
    fc.assert(
      fc.property(STATUS, fc.option(fc.string()), fc.uint8Array({ maxLength: 512 }), (status, contentType, bytes) => {
        const answer = parseTokenAnswer(status, contentType ?? undefined, Buffer.from(bytes));
        if (answer.kind === 'not-json') expect(answer.bytes).toBe(bytes.length);
      }),
    );
  });

  it('never throws on arbitrary JSON, and never copies a credential member out', () => {
    fc.assert(
      fc.property(STATUS, fc.oneof(fc.jsonValue(), tokenLike), (status, value) => {
        const answer = parseTokenAnswer(status, 'application/json', json(value));
        if ('members' in answer && !Array.isArray(answer.members)) {
          for (const name of CREDENTIAL_MEMBERS) expect(answer.members).not.toHaveProperty(name);
        }
      }),
    );
  });

  it('issues a token exactly for a 2xx JSON object with a non-empty string access_token and no error', () => {
    fc.assert(
      fc.property(STATUS, tokenLike, (status, value) => {
        const answer = parseTokenAnswer(status, 'application/json', json(value));
        const record = value as Record<string, unknown>;
        const usable = typeof record.access_token === 'string' && record.access_token.length > 0;
        const isError = typeof record.error === 'string' && record.error.length > 0 && (status < 200 || status >= 300 || record.access_token === undefined);
        expect(answer.kind === 'token').toBe(status >= 200 && status < 300 && usable && !isError);
        if (answer.kind === 'token') expect(answer.accessToken).toBe(record.access_token);
      }),
    );
  });

  it('never previews more than 81 printable characters', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        const answer = parseTokenAnswer(200, 'text/html', Buffer.from(`<${text}`));
        if (answer.kind === 'not-json' && answer.preview !== undefined) {
          expect(answer.preview.length).toBeLessThanOrEqual(81);
          expect(answer.preview).toMatch(/^[\x20-\x7e]*…?$/);
        }
      }),
    );
  });
});

describe('reading an access token without showing it', () => {
  const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const jwt = `${segment({ alg: 'ES256', typ: 'at+jwt' })}.${segment({ sub: 'c', scope: 'a b', iat: 1_800_000_000, exp: 1_800_003_600, cnf: { 'x5t#S256': 'abc' } })}.c2ln`;

  it('shows a JWT access token\'s header and claims, and its length', () => {
    const view = viewAccessToken(jwt);
    expect(view).toEqual({
      format: 'JWT',
      header: { alg: 'ES256', typ: 'at+jwt' },
      claims: { sub: 'c', scope: 'a b', iat: 1_800_000_000, exp: 1_800_003_600, cnf: { 'x5t#S256': 'abc' } },
      issuedAt: '2027-01-15T08:00:00.000Z',
      expiresAt: '2027-01-15T09:00:00.000Z',
      length: jwt.length,
    });
    expect(JSON.stringify(view)).not.toContain(jwt.split('.')[1]);
  });

  it('treats anything else as opaque', () => {
    for (const token of ['abc', 'a.b.c', `${segment([1])}.${segment({})}.x`, 'eyJ.eyJ.']) {
      expect(viewAccessToken(token)).toEqual({ format: 'opaque', length: token.length });
    }
  });

  it('never throws decoding arbitrary strings', () => {
    fc.assert(fc.property(fc.string(), (text) => void decodeJwt(text)));
  });

  it.each([
    ['the response scope', 'a b', { scope: 'c' }, ['a', 'b']],
    ['the JWT scope claim', undefined, { scope: 'c d' }, ['c', 'd']],
    ['the JWT scp array', undefined, { scp: ['e', 1] }, ['e']],
    ['nothing', undefined, {}, undefined],
  ])('takes the granted scopes from %s', (_name, scope, claims, granted) => {
    expect(grantedScopes(scope, claims)).toEqual(granted);
  });
});
