import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  answerEvidence,
  challengeError,
  contentCodings,
  describeChallenges,
  describeUndecodable,
  oauthErrorOf,
  parseChallenges,
  parseHttpDate,
  parseRetryAfter,
  readAnswer,
  readContentType,
  retryAdvice,
  statusClass,
  type AnswerKind,
  type Challenge,
} from '../../src/net/answer.js';
import type { HttpResponse } from '../../src/net/http.js';

// One classifier for every answer golive receives: a table per signal.

const NOW = Date.UTC(2026, 11, 2, 10, 0, 0);

/** A challenge as plain data, to compare. */
const plain = (challenges: Challenge[]) =>
  challenges.map(({ scheme, token68, params }) => ({ scheme, ...(token68 !== undefined && { token68 }), params: Object.fromEntries(params) }));

function answer(status: number, headers: Record<string, string> = {}, body = '', extra: Partial<HttpResponse> = {}) {
  return { url: 'https://api.example/core/api/v1/products', status, headers, body: Buffer.from(body), truncated: false, ...extra };
}

describe('status class and kind', () => {
  it.each<[number, string, AnswerKind]>([
    [100, 'informational', 'unexpected'],
    [200, 'success', 'success'],
    [204, 'success', 'success'],
    [301, 'redirect', 'redirect'],
    [308, 'redirect', 'redirect'],
    [400, 'client-error', 'client-error'],
    [401, 'client-error', 'unauthenticated'],
    [403, 'client-error', 'forbidden'],
    [404, 'client-error', 'not-found'],
    [407, 'client-error', 'proxy-authentication'],
    [410, 'client-error', 'not-found'],
    [429, 'client-error', 'rate-limited'],
    [500, 'server-error', 'server-error'],
    [503, 'server-error', 'server-error'],
    [599, 'server-error', 'server-error'],
    [600, 'invalid', 'unexpected'],
    [42, 'invalid', 'unexpected'],
  ])('%i: %s, %s', (status, klass, kind) => {
    expect(statusClass(status)).toBe(klass);
    expect(readAnswer(answer(status), { now: NOW }).kind).toBe(kind);
  });

  it('a success whose body golive could not decode is undecodable; an error status keeps its kind', () => {
    const undecodable = { encoding: 'gzip', problem: 'corrupt', reason: 'incorrect header check' } as const;
    expect(readAnswer(answer(200, {}, '', { undecodable }), { now: NOW })).toMatchObject({ kind: 'undecodable', undecodable });
    expect(readAnswer(answer(401, {}, '', { undecodable }), { now: NOW })).toMatchObject({ kind: 'unauthenticated', undecodable });
  });
});

describe('WWW-Authenticate and Proxy-Authenticate challenges (RFC 9110 §11)', () => {
  it.each<[string, string, ReturnType<typeof plain>]>([
    ['one scheme, one quoted param', 'Basic realm="golive-sandbox"', [{ scheme: 'Basic', params: { realm: 'golive-sandbox' } }]],
    ['a bare scheme', 'Negotiate', [{ scheme: 'Negotiate', params: {} }]],
    ['token68', 'Negotiate YIIB/w+abc==', [{ scheme: 'Negotiate', token68: 'YIIB/w+abc==', params: {} }]],
    [
      'RFC 6750 Bearer error',
      'Bearer realm="example", error="invalid_token", error_description="The access token expired"',
      [{ scheme: 'Bearer', params: { realm: 'example', error: 'invalid_token', error_description: 'The access token expired' } }],
    ],
    ['token values and space around =', 'Bearer error = invalid_token , scope=read', [{ scheme: 'Bearer', params: { error: 'invalid_token', scope: 'read' } }]],
    [
      'several challenges in one header',
      'Newauth realm="apps", type=1, title="Login to \\"apps\\"", Basic realm="simple"',
      [
        { scheme: 'Newauth', params: { realm: 'apps', type: '1', title: 'Login to "apps"' } },
        { scheme: 'Basic', params: { realm: 'simple' } },
      ],
    ],
    ['headers joined by commas', 'Basic realm="a", Bearer', [{ scheme: 'Basic', params: { realm: 'a' } }, { scheme: 'Bearer', params: {} }]],
    ['a token68 then another challenge', 'Negotiate abc=, Basic realm="x"', [{ scheme: 'Negotiate', token68: 'abc=', params: {} }, { scheme: 'Basic', params: { realm: 'x' } }]],
    ['a comma inside a quoted string', 'Basic realm="a, b=c"', [{ scheme: 'Basic', params: { realm: 'a, b=c' } }]],
    ['parameter names are case-insensitive; the first wins', 'Bearer REALM="one", realm="two"', [{ scheme: 'Bearer', params: { realm: 'one' } }]],
    ['empty elements', ' , ,Basic realm="x",, ', [{ scheme: 'Basic', params: { realm: 'x' } }]],
    ['an unterminated quoted string', 'Basic realm="never closed', [{ scheme: 'Basic', params: { realm: 'never closed' } }]],
    ['garbage before a challenge', '@@@, Basic realm="x"', [{ scheme: 'Basic', params: { realm: 'x' } }]],
    ['a key that is a prototype name', 'Basic __proto__="x", constructor=y', [{ scheme: 'Basic', params: Object.fromEntries([['__proto__', 'x'], ['constructor', 'y']]) }]],
    ['empty', '', []],
  ])('%s', (_name, header, expected) => {
    expect(plain(parseChallenges(header))).toEqual(expected);
  });

  it('never throws and stays bounded on hostile input', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'B', '=', '"', '\\', ',', ' ', '\t', '/', '+', '@', '\u0000', '\u202e', 'é') }), (header) => {
        const challenges = parseChallenges(header);
        expect(challenges.length).toBeLessThanOrEqual(16);
        for (const challenge of challenges) expect(challenge.params.size).toBeLessThanOrEqual(32);
        expect(typeof describeChallenges(challenges)).toBe('string');
      }),
      { numRuns: 2_000 },
    );
    const huge = `Basic ${'realm="x", '.repeat(100_000)}`;
    const started = performance.now();
    const [first] = parseChallenges(huge);
    expect(plain([first!])).toEqual([{ scheme: 'Basic', params: { realm: 'x' } }]);
    expect(performance.now() - started).toBeLessThan(500);
    expect(parseChallenges('A, '.repeat(1_000))).toHaveLength(16);
  });

  it('describes challenges for a message: escaped, unprintable characters replaced, a token68 by its length only', () => {
    expect(describeChallenges(parseChallenges('Basic realm="a \\"b\\"", Negotiate c2VjcmV0'))).toBe('Basic realm="a \\"b\\"", Negotiate (a 8-character token)');
    expect(describeChallenges(parseChallenges('Basic realm="\u001b[31mred\u202e"'))).toBe('Basic realm="?[31mred?"');
    expect(describeChallenges(parseChallenges(`Basic realm="${'x'.repeat(500)}"`))).toMatch(/^Basic realm="x{120}…"$/);
  });

  it('withholds a value that may quote a credential: the redaction of the report knows only whole secrets', () => {
    const echoed = parseChallenges('Bearer error="invalid_token", error_description="Bearer eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln is not valid"');
    expect(challengeError(echoed)).toEqual({ error: 'invalid_token', description: '(withheld: it may quote a credential)' });
    expect(describeChallenges(parseChallenges('Basic realm="Basic dXNlcjpwYXNzd29yZA=="'))).toBe('Basic realm="(withheld: it may quote a credential)"');
  });

  it('finds the error a challenge carries', () => {
    expect(challengeError(parseChallenges('Basic realm="x", Bearer error="insufficient_scope", error_description="needs cards:read"'))).toEqual({
      error: 'insufficient_scope',
      description: 'needs cards:read',
    });
    expect(challengeError(parseChallenges('Bearer error=invalid_token'))).toEqual({ error: 'invalid_token' });
    expect(challengeError(parseChallenges('Basic realm="x"'))).toBeUndefined();
  });

  it('reads Proxy-Authenticate apart from WWW-Authenticate', () => {
    const reading = readAnswer(answer(407, { 'proxy-authenticate': 'Basic realm="corp proxy"' }), { now: NOW });
    expect(reading.kind).toBe('proxy-authentication');
    expect(plain(reading.proxyChallenges)).toEqual([{ scheme: 'Basic', params: { realm: 'corp proxy' } }]);
    expect(reading.challenges).toEqual([]);
  });
});

describe('Retry-After (RFC 9110 §10.2.3), against the run clock', () => {
  it.each<[string, string, number | undefined]>([
    ['delta-seconds', '120', 120],
    ['zero', '0', 0],
    ['surrounding space', ' 30 ', 30],
    ['IMF-fixdate two minutes ahead', 'Wed, 02 Dec 2026 10:02:00 GMT', 120],
    ['a date in the past: at once', 'Wed, 02 Dec 2026 09:00:00 GMT', 0],
    ['RFC 850 date', 'Wednesday, 02-Dec-26 10:00:30 GMT', 30],
    ['asctime date', 'Wed Dec  2 10:01:00 2026', 60],
    ['negative', '-5', undefined],
    ['a fraction', '1.5', undefined],
    ['words', 'tomorrow', undefined],
    ['a bare number Date.parse would take as a year', '2026 ', 2026],
    ['an impossible date', 'Mon, 31 Feb 2026 10:00:00 GMT', undefined],
    ['a date without GMT', 'Wed, 02 Dec 2026 10:02:00 PST', undefined],
  ])('%s: %j', (_name, raw, seconds) => {
    expect(parseRetryAfter(raw, NOW)).toEqual({ raw, ...(seconds !== undefined && { seconds }) });
  });

  it('absent: no reading, no advice', () => {
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
    expect(retryAdvice(undefined)).toBeUndefined();
    expect(retryAdvice({ raw: 'soon' })).toBeUndefined();
  });

  it('says when to retry', () => {
    expect(retryAdvice({ raw: '30', seconds: 30 })).toBe('it asks to retry after 30 s (Retry-After)');
    expect(retryAdvice({ raw: '0', seconds: 0 })).toBe('it says a retry may come at once (Retry-After)');
  });

  it('a 429 and a 503 carry it in the reading', () => {
    for (const status of [429, 503]) expect(readAnswer(answer(status, { 'retry-after': '7' }), { now: NOW }).retryAfter).toEqual({ raw: '7', seconds: 7 });
  });
});

describe('HTTP-date and the server clock', () => {
  it.each<[string, number | undefined]>([
    ['Wed, 02 Dec 2026 10:00:00 GMT', NOW],
    ['Wednesday, 02-Dec-26 10:00:00 GMT', NOW],
    ['Wednesday, 02-Dec-80 10:00:00 GMT', Date.UTC(1980, 11, 2, 10, 0, 0)],
    ['Wed Dec  2 10:00:00 2026', NOW],
    // A year below 100 is that year, not 1900 plus it (Date.UTC's reading).
    ['Sun, 06 Nov 0094 08:49:37 GMT', Date.parse('0094-11-06T08:49:37Z')],
    ['Sat, 29 Feb 0004 00:00:00 GMT', Date.parse('0004-02-29T00:00:00Z')],
    ['Sun, 29 Feb 0005 00:00:00 GMT', undefined],
    ['Wed, 02 Dec 2026 25:00:00 GMT', undefined],
    ['2026-12-02T10:00:00Z', undefined],
    ['', undefined],
  ])('%j', (raw, ms) => {
    expect(parseHttpDate(raw, NOW)).toBe(ms);
  });

  it('Date gives the skew: the run clock minus the server clock', () => {
    expect(readAnswer(answer(200, { date: 'Wed, 02 Dec 2026 09:59:00 GMT' }), { now: NOW }).serverDate).toEqual({
      raw: 'Wed, 02 Dec 2026 09:59:00 GMT',
      ms: NOW - 60_000,
      skewMs: 60_000,
    });
    expect(readAnswer(answer(200, { date: 'yesterday' }), { now: NOW }).serverDate).toEqual({ raw: 'yesterday' });
    expect(readAnswer(answer(200), { now: NOW }).serverDate).toBeUndefined();
  });
});

describe('Content-Type against what the endpoint returns (JSON)', () => {
  it.each<[string | undefined, string | undefined, boolean]>([
    ['application/json', 'application/json', true],
    ['application/json; charset=utf-8', 'application/json', true],
    ['Application/JSON', 'application/json', true],
    ['application/problem+json', 'application/problem+json', true],
    ['application/jwk-set+json', 'application/jwk-set+json', true],
    ['text/html; charset=utf-8', 'text/html', false],
    ['text/json', 'text/json', false],
    ['application/x-www-form-urlencoded', 'application/x-www-form-urlencoded', false],
    [undefined, undefined, false],
    ['', undefined, false],
  ])('%j', (raw, mediaType, json) => {
    const reading = readContentType(raw);
    expect(reading.mediaType).toBe(mediaType);
    expect(reading).toMatchObject({ json, asExpected: json });
  });
});

describe('Content-Encoding', () => {
  it.each<[string | undefined, string[]]>([
    ['gzip', ['gzip']],
    ['GZIP', ['gzip']],
    ['gzip, br', ['gzip', 'br']],
    ['identity', []],
    [' , deflate', ['deflate']],
    [undefined, []],
  ])('%j: %j', (raw, codings) => {
    expect(contentCodings(raw)).toEqual(codings);
  });

  it('describes a body golive could not decode', () => {
    expect(describeUndecodable({ encoding: 'zstd', problem: 'unsupported' })).toBe('Content-Encoding: zstd, which golive does not decode (it asks for gzip, deflate, br)');
    expect(describeUndecodable({ encoding: 'gzip', problem: 'corrupt', reason: 'incorrect header check', code: 'Z_DATA_ERROR' })).toBe(
      'Content-Encoding: gzip, but the body is not valid gzip (incorrect header check, Z_DATA_ERROR)',
    );
  });
});

describe('Location', () => {
  it.each<[string, string, { href?: string; elsewhere: boolean; upgrade: boolean }]>([
    ['http://jwks.example/org/jwks.json', '/moved', { href: 'http://jwks.example/moved', elsewhere: false, upgrade: false }],
    ['http://jwks.example/org/jwks.json', 'https://jwks.example/org/jwks.json', { href: 'https://jwks.example/org/jwks.json', elsewhere: false, upgrade: true }],
    ['https://api.example/x', 'https://login.example/sso', { href: 'https://login.example/sso', elsewhere: true, upgrade: false }],
    ['https://api.example/x', 'http://[bad', { elsewhere: false, upgrade: false }],
  ])('%s → %s', (url, location, expected) => {
    const reading = readAnswer({ ...answer(302, { location }), url }, { now: NOW });
    expect(reading.location).toEqual({ raw: location, ...expected });
  });
});

describe('error bodies', () => {
  it("reads Thredd's error shape, even when labelled text/plain", () => {
    const body = JSON.stringify({ type: 'about:blank', title: 'Forbidden', status: 403, traceId: '00-abc-def-00', errors: { 'X-Region': ['Wrong region.'] } });
    for (const type of ['application/problem+json', 'text/plain', undefined]) {
      const reading = readAnswer(answer(403, type ? { 'content-type': type } : {}, body), { now: NOW });
      expect(reading.thredd).toEqual({ type: 'about:blank', title: 'Forbidden', status: 403, traceId: '00-abc-def-00', errors: { 'X-Region': ['Wrong region.'] } });
    }
  });

  it('reads an OAuth error body', () => {
    const reading = readAnswer(answer(400, { 'content-type': 'application/json' }, JSON.stringify({ error: 'invalid_client', error_description: 'bad' })), { now: NOW });
    expect(reading.oauth).toEqual({ error: 'invalid_client', description: 'bad' });
    expect(oauthErrorOf({ error: '' })).toBeUndefined();
    expect(oauthErrorOf({ error: 42 })).toBeUndefined();
    expect(oauthErrorOf({ error: 'x', error_uri: 'https://e' })).toEqual({ error: 'x', uri: 'https://e' });
  });

  it.each([
    ['an HTML page', 'text/html', '<html>{"error":"x"}</html>'],
    ['JSON that is an array', 'application/json', '[{"error":"x"}]'],
    ['not JSON', 'application/json', '{"error":'],
    ['too large to be an error body', 'application/json', JSON.stringify({ error: 'x', pad: 'y'.repeat(70_000) })],
  ])('%s: no error body read', (_name, type, body) => {
    const reading = readAnswer(answer(400, { 'content-type': type }, body), { now: NOW });
    expect(reading.oauth).toBeUndefined();
    expect(reading.thredd).toBeUndefined();
  });

  it('an empty body is empty unless it was cut off', () => {
    expect(readAnswer(answer(401), { now: NOW }).empty).toBe(true);
    expect(readAnswer(answer(401, {}, '', { truncated: true }), { now: NOW }).empty).toBe(false);
    expect(readAnswer(answer(401, {}, ' '), { now: NOW }).empty).toBe(false);
  });
});

describe('the reading as evidence', () => {
  it('carries each signal the answer has, and nothing it has not', () => {
    const headers = {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
      date: 'Wed, 02 Dec 2026 09:59:59 GMT',
      'x-request-id': 'req-1',
      'www-authenticate': 'Bearer error="invalid_token"',
      'retry-after': '5',
      location: '/elsewhere',
    };
    const reading = readAnswer(answer(401, headers, JSON.stringify({ traceId: '00-t-00' })), { now: NOW });
    expect(answerEvidence(reading, headers)).toEqual({
      status: 401,
      contentType: 'application/json',
      contentEncoding: 'gzip',
      serverDate: 'Wed, 02 Dec 2026 09:59:59 GMT',
      clockSkewMs: 1_000,
      requestIds: { 'x-request-id': 'req-1' },
      traceId: '00-t-00',
      wwwAuthenticate: 'Bearer error="invalid_token"',
      challenges: [{ scheme: 'Bearer', params: { error: 'invalid_token' } }],
      retryAfter: '5',
      retryAfterSeconds: 5,
      location: 'https://api.example/elsewhere',
    });
    expect(answerEvidence(readAnswer(answer(200), { now: NOW }), {})).toEqual({ status: 200, serverDate: null });
  });

  it('reads only the headers the answer carries, never inherited ones', () => {
    const inherited = Object.create({
      'www-authenticate': 'Basic realm="inherited"',
      'retry-after': '5',
      location: 'https://elsewhere.example/',
      'x-request-id': 'inherited',
    }) as Record<string, string>;
    const reading = readAnswer(answer(401, inherited), { now: NOW });
    expect(reading.challenges).toEqual([]);
    expect(reading.retryAfter).toBeUndefined();
    expect(reading.location).toBeUndefined();
    expect(reading.requestIds).toEqual({});
    expect(readAnswer(answer(401, { 'www-authenticate': 'Basic realm="own"' }), { now: NOW }).challenges).toHaveLength(1);
  });
});
