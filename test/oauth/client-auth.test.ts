import { describe, expect, it } from 'vitest';
import { basicAuthorization, buildTokenRequest, CLIENT_ASSERTION_TYPE, formUrlEncode, type ClientCredentials } from '../../src/oauth/client-auth.js';
import { Redactor, REDACTED } from '../../src/redact.js';

/** How an RFC 6749 §2.3.1 server reads one half of the Basic credentials (as oidc-provider does). */
const formUrlDecode = (value: string) => decodeURIComponent(value.replace(/\+/g, '%20'));

function decodeBasic(header: string): [string, string] {
  const plain = Buffer.from(header.replace(/^Basic /, ''), 'base64').toString('utf8');
  const colon = plain.indexOf(':');
  return [formUrlDecode(plain.slice(0, colon)), formUrlDecode(plain.slice(colon + 1))];
}

describe('client_secret_basic credentials (RFC 6749 §2.3.1)', () => {
  it.each([
    ['a colon', 'se:cr:et', 'se%3Acr%3Aet'],
    ['a plus', 'a+b', 'a%2Bb'],
    ['a percent sign', '100%', '100%25'],
    ['a space', 'two words', 'two+words'],
    ['non-ASCII', 'pässwörd€', 'p%C3%A4ssw%C3%B6rd%E2%82%AC'],
    ['an emoji', 'k🔑', 'k%F0%9F%94%91'],
    ['slash, equals, ampersand', 'a/b=c&d', 'a%2Fb%3Dc%26d'],
    ['only unreserved characters', 'Abc-1.2_3*', 'Abc-1.2_3*'],
  ])('form-url-encodes a secret with %s before base64', (_name, secret, encoded) => {
    expect(formUrlEncode(secret)).toBe(encoded);
    const header = basicAuthorization('client:id', secret);
    expect(Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8')).toBe(`client%3Aid:${encoded}`);
    expect(decodeBasic(header)).toEqual(['client:id', secret]);
  });

  it('splits at the first colon only because the id and secret colons are encoded', () => {
    const header = basicAuthorization('https://example.com/clients/5f0c2d9e', 'x:y');
    expect(decodeBasic(header)).toEqual(['https://example.com/clients/5f0c2d9e', 'x:y']);
  });
});

describe('buildTokenRequest', () => {
  const form = (body: string) => Object.fromEntries(new URLSearchParams(body));

  it.each([
    {
      name: 'client_secret_post',
      credentials: { method: 'client_secret_post', clientId: 'id-1', secret: 's e+c' } as const,
      scopes: [],
      fields: { grant_type: 'client_credentials', client_id: 'id-1', client_secret: 's e+c' },
      authorization: undefined,
    },
    {
      name: 'client_secret_basic',
      credentials: { method: 'client_secret_basic', clientId: 'id-1', secret: 'p:w' } as const,
      scopes: ['cards:read', 'cards:write'],
      fields: { grant_type: 'client_credentials', scope: 'cards:read cards:write' },
      authorization: basicAuthorization('id-1', 'p:w'),
    },
    {
      name: 'private_key_jwt',
      credentials: { method: 'private_key_jwt', clientId: 'id-1', assertion: 'h.p.s' } as const,
      scopes: [],
      fields: { grant_type: 'client_credentials', client_id: 'id-1', client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: 'h.p.s' },
      authorization: undefined,
    },
  ])('$name: form fields and headers', ({ credentials, scopes, fields, authorization }) => {
    const request = buildTokenRequest(credentials, scopes);
    expect(form(request.body)).toEqual(fields);
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request.headers.authorization).toBe(authorization);
    expect(request.sent.fields).toEqual(Object.keys(fields));
    // What goes to the evidence names fields; it never holds a credential.
    expect(JSON.stringify(request.sent)).not.toMatch(/s e\+c|p:w|h\.p\.s/);
  });

  it.each([
    { method: 'client_secret_post', clientId: 'https://clients.example/id-1', secret: `s e~c!'()*%+/=:&#?"\\ é` },
    { method: 'client_secret_basic', clientId: 'https://clients.example/id-1', secret: `s e~c!'()*%+/=:&#?"\\ é` },
    { method: 'private_key_jwt', clientId: 'https://clients.example/id-1', assertion: 'eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJpZC0xIn0.c2lnbmF0dXJl' },
  ] satisfies ClientCredentials[])('$method: names the credentials as they go on the wire, so a redactor finds them in an echo of the request', (credentials) => {
    const request = buildTokenRequest(credentials, []);
    const wire = `${request.headers.authorization ?? ''}\n${request.body}`;
    // What is left of the request once redacted names no credential, in any form.
    const left = new Redactor(request.secrets).text(wire);
    const credential = credentials.method === 'private_key_jwt' ? credentials.assertion : credentials.secret;
    expect(left).not.toContain(credential);
    expect(left).not.toContain(formUrlEncode(credential));
    expect(left).not.toMatch(/Basic [A-Za-z0-9+/]{8,}/);
    expect(left).toContain(credentials.method === 'private_key_jwt' ? '[redacted token]' : REDACTED);
  });
});
