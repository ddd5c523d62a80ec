import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { interpolate } from '../../src/config/interpolate.js';

const MB = 1_000_000;
/** Far above a linear pass over 1 MB (under 100 ms; more on a loaded machine), far below a quadratic one (minutes). */
const LINEAR_BOUND_MS = 2_000;

const ENV = { A: 'a', B_2: 'b', EMPTY: '', API_TOKEN: 't0ken' };

describe('interpolate', () => {
  it.each([
    ['${A}', 'a', []],
    ['x${A}y${B_2}z', 'xaybz', []],
    ['${MISSING}', '', ['MISSING']],
    ['${MISSING:-fallback}', 'fallback', []],
    ['${MISSING:-}', '', []],
    ['${EMPTY}', '', ['EMPTY']],
    ['${EMPTY:-set}', 'set', []],
    ['${A:-unused}', 'a', []],
    ['${A:-with spaces, $ and {}', 'a', []],
    ['${A:-${B_2}}', 'a}', []],
    ['$${A}', '$a', []],
    ['$A ${ A} ${1A} ${A-x} ${A:x} ${A', '$A ${ A} ${1A} ${A-x} ${A:x} ${A', []],
    ['${A:-no close', '${A:-no close', []],
    ['${A:-fallback up to the first brace ${B_2}', 'a', []],
    ['${X:-$&} ${X:-$1}', '$& $1', []],
  ])('%s becomes %j', (text, data, missing) => {
    const result = interpolate({ value: text }, ENV);
    expect(result.data).toEqual({ value: data });
    expect(result.missing.map((entry) => entry.name)).toEqual(missing);
  });

  it('names the variables used, in order, and the secret values taken', () => {
    const result = interpolate(['${API_TOKEN}', { deep: '${A}${MISSING:-x}${API_TOKEN}' }], ENV);
    expect(result).toEqual({
      data: ['t0ken', { deep: 'ax' + 't0ken' }],
      missing: [],
      secretValues: ['t0ken'],
      used: ['API_TOKEN', 'A', 'MISSING'],
    });
  });

  it('replaces exactly what the ${VAR} / ${VAR:-default} pattern matches', () => {
    // The syntax written as one regular expression (quadratic on long text, fine on short).
    const pattern = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
    const env: Record<string, string> = { A: '<A>', a1: '<a1>', _: '<_>', E: '' };
    const text = fc.array(fc.constantFrom('$', '{', '}', ':', '-', ':-', '${', 'A', 'a1', '_', 'E', '1', ' ', 'x'), { maxLength: 30 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, (value) => {
        const missing: string[] = [];
        const expected = value.replace(pattern, (_match, name: string, fallback: string | undefined) => {
          const resolved = env[name] || fallback;
          if (resolved === undefined) missing.push(name);
          return resolved ?? '';
        });
        const result = interpolate(value, env);
        expect(result.data).toBe(expected);
        expect(result.missing.map((entry) => entry.name)).toEqual(missing);
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['${A:- with no closing brace', '${A:-'.repeat(MB / 5)],
    ['${ followed by a name and no brace', `\${${'A'.repeat(MB)}`],
    ['${ repeated', '${'.repeat(MB / 2)],
    ['$ repeated', '$'.repeat(MB)],
    ['${A:-x} repeated', '${A:-x}'.repeat(MB / 7)],
    ['${A:- then one brace at the end', `${'${A:-'.repeat(MB / 5)}}`],
  ])('scans 1 MB of %s in linear time', (_label, text) => {
    const start = performance.now();
    interpolate({ value: text }, ENV);
    expect(performance.now() - start).toBeLessThan(LINEAR_BOUND_MS);
  });
});
