import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJwks, type ParsedJwks } from '../../src/jwks/parse.js';
import { fixtureText } from '../support/fixtures.js';

const PROBLEMS = new Set(['empty-body', 'html', 'binary', 'not-json', 'not-object', 'no-keys', 'keys-not-array', 'empty-keys', 'no-key-objects']);
const PRIVATE = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/** Every answer is a finding: usable keys (each a plain object), or one named problem. */
function expectFinding(result: ParsedJwks): void {
  if (result.ok) {
    expect(result.keys.length).toBeGreaterThan(0);
    for (const key of result.keys) expect(typeof key === 'object' && key !== null && !Array.isArray(key)).toBe(true);
    expect(new Set(result.kids).size).toBe(result.kids.length);
  } else {
    expect(PROBLEMS.has(result.problem.code)).toBe(true);
  }
}

const anyKey = fc.record(
  {
    kty: fc.oneof(fc.constantFrom('RSA', 'EC', 'OKP', 'oct'), fc.jsonValue()),
    kid: fc.oneof(fc.string(), fc.jsonValue()),
    use: fc.oneof(fc.constantFrom('sig', 'tls', 'enc'), fc.jsonValue()),
    n: fc.string(),
    e: fc.string(),
    x5c: fc.oneof(fc.array(fc.base64String()), fc.jsonValue()),
    'x5t#S256': fc.oneof(fc.string(), fc.jsonValue()),
    d: fc.string(),
  },
  { requiredKeys: [] },
);

describe('parseJwks (property-based)', () => {
  it('never throws on arbitrary JSON, and always answers with keys or a named problem', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expectFinding(parseJwks(JSON.stringify(value) ?? ''));
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on arbitrary text or bytes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.uint8Array({ maxLength: 512 })), fc.option(fc.string()), (body, contentType) => {
        expectFinding(parseJwks(body, contentType ?? undefined));
      }),
      { numRuns: 500 },
    );
  });

  it('keeps every object entry of "keys", reports every other entry, and drops private members', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(anyKey, fc.jsonValue()), { maxLength: 12 }), (entries) => {
        const result = parseJwks(JSON.stringify({ keys: entries }));
        expectFinding(result);
        const objects = entries.filter((entry) => typeof entry === 'object' && entry !== null && !Array.isArray(entry));
        if (!result.ok) {
          expect(objects).toHaveLength(0);
          return;
        }
        expect(result.keys).toHaveLength(objects.length);
        const notObjects = result.issues.filter((issue) => issue.code === 'not-object');
        expect(notObjects).toHaveLength(entries.length - objects.length);
        for (const key of result.keys) for (const member of PRIVATE) expect(key).not.toHaveProperty(member);
        for (const issue of result.issues) expect(issue.detail).not.toMatch(/"d":/);
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseJwks', () => {
  it.each([
    ['  <html><body>proxy</body></html>', undefined, { code: 'html' }],
    ['\ufeff{"keys":[]}', 'application/json', { code: 'empty-keys' }],
    ['{"keys":[1,"a",null]}', undefined, { code: 'no-key-objects', entries: 3, types: ['a number', 'a string', 'null'] }],
    ['{"keys":"none"}', undefined, { code: 'keys-not-array', keysType: 'a string' }],
    ['null', undefined, { code: 'not-object', jsonType: 'null' }],
    ['   ', undefined, { code: 'empty-body' }],
  ])('%j is the problem %j', (body, contentType, problem) => {
    const result = parseJwks(body, contentType);
    expect(result).toMatchObject({ ok: false, problem });
  });

  it('names a sign-in page a proxy answers with (documents/jwks/sign-in.html) as the problem html, with its title', () => {
    expect(parseJwks(fixtureText('documents/jwks/sign-in.html'), 'text/html')).toMatchObject({ ok: false, problem: { code: 'html', title: 'Sign in' } });
  });

  it('names what is wrong with single keys without failing the set', () => {
    const result = parseJwks(
      JSON.stringify({
        keys: [
          { kty: 'RSA', kid: 'a', n: 'x', e: 'AQAB' },
          { kty: 'EC', kid: 'b', crv: 'P-256', x: 'x' },
          { kid: 'c', x5c: 'not-an-array' },
          { kty: 'RSA', n: 'z', e: 'AQAB', use: 7 },
        ],
      }),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.kids).toEqual(['a', 'b', 'c']);
    expect(result.issues.map(({ index, code, detail }) => [index, code, detail])).toEqual([
      [1, 'incomplete', 'is kty EC without y'],
      [2, 'no-kty', 'has no kty'],
      [2, 'malformed-member', 'has an x5c that is not a non-empty array of base64 certificates'],
      [3, 'no-kid', 'has no kid'],
      [3, 'malformed-member', 'has a use that is a number, not a string'],
    ]);
  });

  it('names a kid published twice (documents/jwks/duplicate-kid.json) without failing the set', () => {
    const result = parseJwks(fixtureText('documents/jwks/duplicate-kid.json'), 'application/json');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.kids).toEqual(['-cOke-lAvJvoEYa9l_dz3w']);
    expect(result.issues.map(({ index, code, detail }) => [index, code, detail])).toEqual([[1, 'duplicate-kid', 'repeats a kid already used by an earlier key']]);
  });
});
