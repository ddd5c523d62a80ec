import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { redactAnswer, Redactor, REDACTED } from '../src/redact.js';

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

  /** Every character some encoder treats specially, and non-ASCII (two- to four-byte UTF-8). */
  const AWKWARD = `p@ss w~rd!'()*%+/=:&#?"\\ é€😀`;
  const form = (value: string) => new URLSearchParams([['', value]]).toString().slice(1);
  const lowerHex = (value: string) => value.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
  const json = JSON.stringify(AWKWARD).slice(1, -1);

  it.each([
    ['form-urlencoded (URLSearchParams: space as +, ~ ! \' ( ) escaped)', form(AWKWARD)],
    ['form-urlencoded, lower-case hex', lowerHex(form(AWKWARD))],
    ['encodeURIComponent (~ ! \' ( ) * left as they are)', encodeURIComponent(AWKWARD)],
    ['encodeURIComponent, lower-case hex', lowerHex(encodeURIComponent(AWKWARD))],
    ['RFC 3986 strict (every reserved character escaped)', encodeURIComponent(AWKWARD).replace(/[!'()*~]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`)],
    ['form-urlencoded with space as %20', form(AWKWARD).replace(/\+/g, '%20')],
    ['percent-encoded twice (a form body carried in a URL)', encodeURIComponent(form(AWKWARD))],
    ['JSON string', json],
    ['JSON with non-ASCII as \\u escapes (Python json.dumps)', json.replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)],
    ['JSON with / escaped (PHP json_encode)', json.replace(/\//g, '\\/')],
    ['XML text', AWKWARD.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')],
    ['base64', Buffer.from(AWKWARD).toString('base64')],
    ['base64url', Buffer.from(AWKWARD).toString('base64url')],
  ])('replaces a secret written as %s', (_name, written) => {
    expect(written).not.toBe(AWKWARD);
    expect(new Redactor([AWKWARD]).text(`before ${written} after`)).toBe(`before ${REDACTED} after`);
  });

  it('replaces every wire encoding of any secret built from awkward characters (property)', () => {
    const secrets = fc.string({ minLength: 4, maxLength: 24, unit: fc.constantFrom(...AWKWARD, 'a', 'Z', '7', '-', '.', '_', '\n') });
    const encoders = [
      (value: string) => value,
      form,
      (value: string) => lowerHex(encodeURIComponent(value)),
      (value: string) => encodeURIComponent(form(value)),
      (value: string) => JSON.stringify(value).slice(1, -1),
      (value: string) => Buffer.from(value).toString('base64'),
      (value: string) => Buffer.from(value).toString('base64url'),
    ];
    fc.assert(
      fc.property(secrets, fc.string(), (secret, around) => {
        const redactor = new Redactor([secret]);
        return encoders.every((encode) => !redactor.text(`${around}${encode(secret)}${around}`).includes(encode(secret)));
      }),
    );
  });

  it('replaces a secret holding a lone surrogate, raw and in the form the wire carries it (U+FFFD)', () => {
    for (const [lone, rest] of [['\ud800', 'abcd'], ['\udfff', AWKWARD], ['\udc00', AWKWARD.repeat(12)]] as const) {
      const secret = lone + rest;
      const carried = `\ufffd${rest}`;
      const written = [secret, carried, form(secret), lowerHex(encodeURIComponent(carried)), JSON.stringify(secret).slice(1, -1), Buffer.from(secret).toString('base64')];
      const redactor = new Redactor([secret]);
      for (const text of written) expect(redactor.text(`<${text}>`), JSON.stringify(text.slice(0, 12))).toBe(`<${REDACTED}>`);
    }
  });

  /** Milliseconds: about 70 here on an idle machine, over 200 under load, seconds for the old per-character pattern. */
  const SUPERLINEAR_MS = 2_000;

  it.each(['{', ' ', '\n', '%'])('replaces a 20,000-character secret of %j in every whole encoding, quickly', (character) => {
    const secret = character.repeat(20_000);
    const written = [secret, form(secret), encodeURIComponent(secret), lowerHex(encodeURIComponent(secret)), JSON.stringify(secret).slice(1, -1), Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('base64url')];
    const started = performance.now();
    const redactor = new Redactor([secret]);
    for (const text of written) expect(redactor.text(`<${text}>`)).toBe(`<${REDACTED}>`);
    // A bound only superlinear work reaches (the per-character pattern took seconds, or overflowed), never a loaded machine.
    expect(performance.now() - started).toBeLessThan(SUPERLINEAR_MS);
  });

  it('redacts any secret of up to 20,000 characters without throwing, quickly, and leaves nothing of it raw (property)', () => {
    const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));
    const character = fc.oneof(codeUnit, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), fc.constantFrom(...AWKWARD, '\n', '{', '\ud800'));
    const secrets = fc.oneof(
      fc.string({ unit: character, maxLength: 20_000, size: 'max' }),
      fc.tuple(character, fc.integer({ min: 1, max: 20_000 })).map(([unit, count]) => unit.repeat(count)),
    );
    fc.assert(
      fc.property(secrets, fc.string({ unit: character }), fc.string({ unit: character }), (secret, before, after) => {
        const started = performance.now();
        const out = new Redactor([secret]).text(`${before}${secret}${after}`);
        expect(performance.now() - started).toBeLessThan(SUPERLINEAR_MS);
        // The marker may hold a secret ("dact") or complete one ("x[redacted"): those prove nothing.
        if (secret.length >= 4 && !REDACTED.includes(secret) && !/[[\]]/.test(secret)) expect(out.includes(secret)).toBe(false);
      }),
      { numRuns: 40 },
    );
  }, 30_000);

  it('finds a secret inside longer base64 text at any byte offset, e.g. Basic credentials (RFC 6749 §2.3.1)', () => {
    const redactor = new Redactor([AWKWARD]);
    for (const prefix of ['', 'a', 'ab', 'abc', 'https://clients.example/6f1c7a52:', `${form('https://clients.example/6f1c7a52')}:`]) {
      for (const written of [prefix + AWKWARD, prefix + form(AWKWARD), prefix + encodeURIComponent(AWKWARD)]) {
        for (const encoding of ['base64', 'base64url'] as const) {
          const encoded = Buffer.from(`${written}-and-what-follows`, 'utf8').toString(encoding);
          const out = redactor.text(`Basic ${encoded}`);
          // What is left is the prefix's own base64, a character of it shared with the secret, and the tail's.
          const kept = Buffer.from(prefix, 'utf8').toString(encoding).length + 1 + Buffer.from('-and-what-follows').toString(encoding).length + 3;
          expect(out, `${prefix} ${encoding}`).toContain(REDACTED);
          expect(out.length - 'Basic '.length - REDACTED.length, `${prefix} ${encoding}`).toBeLessThanOrEqual(kept);
        }
      }
    }
  });

  it('leaves text that only looks like an encoding of the secret', () => {
    const redactor = new Redactor(['Secret-Value~1']);
    // Letters keep their case (only hex digits of an escape may differ), and a changed character is another value.
    for (const text of ['secret-value~1', 'SECRET-VALUE~1', 'Secret-Value~2', 'Secret+Value~1', 'Secret%2eValue~1']) {
      expect(redactor.text(`x ${text} y`)).toBe(`x ${text} y`);
    }
  });

  it('removes a JWT whatever its header looks like, and leaves dotted words alone', () => {
    const segment = (json: string) => Buffer.from(json).toString('base64url');
    const spaced = `${segment('{ "alg": "HS256" }')}.${segment('{ "sub": "x" }')}.c2lnbmF0dXJlLWJ5dGVz`;
    const lines = `${segment('{\n  "alg": "RS256"\n}')}.${segment('{}')}.c2lnbmF0dXJl`;
    const redactor = new Redactor();
    expect(spaced.startsWith('eyJ')).toBe(false);
    expect(redactor.text(`hint ${spaced} end`)).toBe('hint [redacted token] end');
    expect(redactor.text(`hint ${lines} end`)).toBe('hint [redacted token] end');
    expect(redactor.text(`keyey${spaced}`)).toBe('keyey[redacted token]');
    expect(redactor.text('Eyes.closed.now, uat-api.thredd.com, eyes.closed.now and ewok.x.y')).toBe('Eyes.closed.now, uat-api.thredd.com, eyes.closed.now and ewok.x.y');
  });

  it('takes secrets out of an HTTP answer before a check reads it, and leaves an answer without them as it was', () => {
    const redactor = new Redactor([AWKWARD]);
    const echoed = { status: 400, headers: { 'x-request-id': form(AWKWARD), date: 'Tue, 01 Dec 2026 10:00:00 GMT' }, body: Buffer.from(JSON.stringify({ error_description: AWKWARD })) };
    const seen = redactAnswer(echoed, redactor);
    expect(seen).toEqual({ status: 400, headers: { 'x-request-id': REDACTED, date: echoed.headers.date }, body: Buffer.from(`{"error_description":"${REDACTED}"}`) });
    const binary = { headers: {}, body: Buffer.from([0xff, 0xfe, 0x00, 0x80]) };
    expect(redactAnswer(binary, redactor).body).toBe(binary.body);
  });

  it('removes PEM private key blocks and JWTs even when not registered', () => {
    const redactor = new Redactor();
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY-----';
    expect(redactor.text(`key: ${pem} end`)).toBe('key: [redacted private key] end');
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhYmMxMjMifQ.c2lnbmF0dXJl';
    expect(redactor.text(`token ${jwt}`)).toBe('token [redacted token]');
  });

  it('removes a key cut short, with headers, or JSON-escaped; a message that only names the BEGIN line stays whole', () => {
    const redactor = new Redactor();
    expect(redactor.text('body: -----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA')).toBe('body: [redacted private key]');
    expect(redactor.text('-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00FF\n\nMIIE\n-----END RSA PRIVATE KEY----- ok')).toBe('[redacted private key] ok');
    expect(redactor.text('{"key":"-----BEGIN PRIVATE KEY-----\\nMIIEvQ\\n-----END PRIVATE KEY-----"}')).toBe('{"key":"[redacted private key]"}');
    const named = "key.pem is not valid PEM: the '-----BEGIN PRIVATE KEY-----' line has no END line after it";
    expect(redactor.text(named)).toBe(named);
    const hint = 'Add the missing "-----BEGIN PRIVATE KEY-----" and "-----END PRIVATE KEY-----" lines, or copy the whole key file again.';
    expect(redactor.text(hint)).toBe(hint);
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

  it('redacts a text it has redacted before, once it learns a secret the text holds', () => {
    const redactor = new Redactor();
    const text = 'the client secret is hunter2-and-more';
    expect(redactor.text(text)).toBe(text);
    redactor.add('hunter2-and-more');
    expect(redactor.text(text)).toBe(`the client secret is ${REDACTED}`);
    expect(redactor.deep({ [text]: [text] })).toEqual({ [`the client secret is ${REDACTED}`]: [`the client secret is ${REDACTED}`] });
  });

  it('tries a text only on the secrets it may hold: no more work with a thousand secrets than with one', () => {
    // Shaped like issued client secrets: random letters and digits, a symbol or two.
    const secrets = Array.from({ length: 1000 }, (_, index) => {
      const random = createHash('sha256').update(String(index)).digest('hex');
      return `${random.slice(0, 20)}~${random.slice(20, 32)}/`;
    });
    const text = `{"error":"invalid_client","error_description":"bad secret ${encodeURIComponent(secrets[0]!)}","client_id":"6f1c7a52"}`;
    // A secret is looked for with includes (the literal before its pattern) or replaceAll (a long text): count both.
    const work = (redactor: Redactor): { out: string; calls: number } => {
      const includes = vi.spyOn(String.prototype, 'includes');
      const replaceAll = vi.spyOn(String.prototype, 'replaceAll');
      try {
        return { out: redactor.text(text), calls: includes.mock.calls.length + replaceAll.mock.calls.length };
      } finally {
        includes.mockRestore();
        replaceAll.mockRestore();
      }
    };
    const one = work(new Redactor(secrets.slice(0, 1)));
    const thousand = work(new Redactor(secrets));
    expect(one.out).toBe(`{"error":"invalid_client","error_description":"bad secret ${REDACTED}","client_id":"6f1c7a52"}`);
    expect(thousand.out).toBe(one.out);
    expect(thousand.calls).toBeLessThanOrEqual(one.calls);
  });

  it('never leaves any of many registered secrets in a text holding some of them (property)', () => {
    const secrets = fc.array(
      fc.string({ minLength: 4, maxLength: 80, unit: fc.constantFrom(...AWKWARD, 'a', 'b', 'Z', '7', '-', '.') }).filter((secret) => !'[redacted]'.includes(secret) && !/[[\]]/.test(secret)),
      // Enough secrets for the redactor to look needles up rather than try each (other tests cover a few).
      { minLength: 12, maxLength: 40 },
    );
    fc.assert(
      fc.property(secrets, fc.array(fc.nat()), fc.string(), (known, picks, filler) => {
        const redactor = new Redactor(known);
        const written = picks.map((pick) => known[pick % known.length]!);
        const out = redactor.text(written.join(filler));
        return written.every((secret) => !out.includes(secret));
      }),
      { numRuns: 30 },
    );
  });

  it('redacts again as deep does, keeping what needs no change rather than copying it', () => {
    const redactor = new Redactor(['topsecret']);
    const clean = { id: 'config.parse', evidence: { files: [{ field: 'signing.key', mode: 0o600 }] }, needs: [] as string[] };
    const report = { runs: [{ checks: [clean, { id: 'x', message: 'got topsecret' }] }] };
    const again = redactor.deepAgain(report);
    expect(again).toStrictEqual(redactor.deep(report));
    expect(again.runs[0]!.checks[0]).toBe(clean);
    expect(again.runs[0]!.checks[1]).toEqual({ id: 'x', message: `got ${REDACTED}` });
    expect(redactor.deepAgain(clean)).toBe(clean);
  });

  it('redacts again exactly as deep does, whatever the value (property)', () => {
    const redactor = new Redactor(['topsecret', 'p@ss word']);
    const secretish = fc.constantFrom('topsecret', 'x p@ss word y', '__proto__', 'constructor', 'plain');
    const values = fc.anything({ key: fc.oneof(fc.string(), secretish), values: [fc.string(), secretish, fc.integer(), fc.constant(null)], withNullPrototype: true, withSparseArray: true, withDate: true, withMap: true, withBoxedValues: true });
    fc.assert(
      fc.property(values, (value) => {
        // node's comparison, not toStrictEqual's: that takes an own `constructor` key for the type.
        expect(isDeepStrictEqual(redactor.deepAgain(value), redactor.deep(value))).toBe(true);
      }),
    );
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
