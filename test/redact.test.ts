import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Redactor } from '../src/redact.js';

describe('Redactor', () => {
  it('replaces a secret and its base64, base64url and percent-encoded forms', () => {
    const secret = 'p@ss/word+?=';
    const redactor = new Redactor([secret]);
    const forms = [
      secret,
      Buffer.from(secret).toString('base64'),
      Buffer.from(secret).toString('base64url'),
      encodeURIComponent(secret),
    ];
    for (const form of forms) expect(redactor.text(`before ${form} after`)).toBe('before [redacted] after');
  });

  it('removes PEM private key blocks and JWTs even when not registered', () => {
    const redactor = new Redactor();
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY-----';
    expect(redactor.text(`key: ${pem} end`)).toBe('key: [redacted private key] end');
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhYmMxMjMifQ.c2lnbmF0dXJl';
    expect(redactor.text(`token ${jwt}`)).toBe('token [redacted token]');
  });

  it('removes the private members of a JWK written as JSON, keeping the public ones', () => {
    const jwk = '{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","d":"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"}';
    expect(new Redactor().text(`key ${jwk}`)).toBe(
      'key {"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","d":"[redacted]"}',
    );
  });

  it('ignores values too short to be credible secrets', () => {
    expect(new Redactor(['ab']).text('abc')).toBe('abc');
  });

  it('redacts deeply, keys included, and survives cycles', () => {
    const redactor = new Redactor(['topsecret']);
    const value: Record<string, unknown> = { a: ['x topsecret'], topsecret: 1 };
    value.self = value;
    expect(redactor.deep(value)).toEqual({ a: ['x [redacted]'], '[redacted]': 1, self: '[circular]' });
  });

  it('never leaves a registered secret in any text (property)', () => {
    // A secret that is part of the marker itself ("dact") would be found in the output trivially.
    const secrets = fc.string({ minLength: 4 }).filter((secret) => !'[redacted]'.includes(secret) && !/[[\]]/.test(secret));
    fc.assert(
      fc.property(secrets, fc.string(), fc.string(), (secret, before, after) => {
        const out = new Redactor([secret]).text(`${before}${secret}${after}`);
        return !out.includes(secret);
      }),
    );
  });
});
