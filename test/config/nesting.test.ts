import { describe, expect, it } from 'vitest';
import { parseDocument, stringify } from 'yaml';
import { jsonTooDeepAt, yamlTooDeepAt } from '../../src/config/nesting.js';
import { starterConfig } from '../../src/init/template.js';
import { VALID_JWT_CONFIG } from '../support/config-files.js';

// The scans bound nesting before yaml's recursive parser sees the text. They
// must never refuse a sane config (brackets and dashes inside strings,
// comments and block scalars are text), and always catch a bracket bomb.

/** The deepest nesting of parsed data, to compare the scans against. */
function depthOf(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  return 1 + Math.max(0, ...Object.values(value as object).map(depthOf));
}

describe('yamlTooDeepAt', () => {
  const starters = (['private_key_jwt', 'client_secret_post', 'client_secret_basic'] as const).flatMap((authMethod) =>
    (['tls', 'mtls'] as const).map((connectivity) => starterConfig({ authMethod, connectivity, environment: 'production' })),
  );

  it.each([
    ['the starter configs', starters.join('\n---\n').split('\n---\n')[0]!],
    ...starters.map((text, index) => [`starter config ${index}`, text] as [string, string]),
    ['the test config', VALID_JWT_CONFIG],
    ['brackets, quotes and dashes inside scalars and comments', `
# a comment with [[[[[[[[ and {{{{{{{{
client:
  id: "[[[[[[[[[[ \\" [[[[[["
  secret: '{{{{{{{{{{ '' [[[[[[[['
  name: O'Brien [[[[[[[[ - - - - - -
  note: a - b - c - d - e - f - g - h
probe:
  path: /core/api/v1/products?filter=[[[[[[[[]]]]]]]]  # [[[[[[[[
  expectStatus: [200, 201]
`],
    ['block scalars holding brackets and deep indentation', `
signing:
  privateKey: |
    [[[[[[[[[[[[[[[[[[[[
      - - - - - - - - - - - -
        {{{{{{{{{{{{{{{{{
  certificate: >-
    [[[[[[[[[[[[[[[[[[[[
http:
  ca: ca.pem
`],
    ['a sequence of maps', 'probe:\n  expectStatus:\n    - 200\n    - 201\nclient:\n  scopes:\n    - a\n    - b\n'],
  ])('does not refuse %s at 8 levels', (_name, text) => {
    expect(yamlTooDeepAt(text, 8)).toBeUndefined();
    // And the scan agrees with the parser that the text really is shallow.
    expect(depthOf(parseDocument(text).toJS())).toBeLessThanOrEqual(8);
  });

  it.each([
    ['flow sequences', (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`],
    ['flow mappings', (n: number) => `${'{b: '.repeat(n)}1${'}'.repeat(n)}`],
    ['flow mappings under a key', (n: number) => `a: ${'{b: '.repeat(n - 1)}1${'}'.repeat(n - 1)}`],
    ['compact sequences', (n: number) => `${'- '.repeat(n)}x`],
    ['indented block mappings', (n: number) => Array.from({ length: n }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' 1\n'],
    ['indented block sequences', (n: number) => Array.from({ length: n }, (_, i) => `${' '.repeat(i)}-`).join('\n') + ' 1\n'],
  ])('passes %s exactly at the limit and refuses one level more', (_name, build) => {
    expect(yamlTooDeepAt(build(10), 10)).toBeUndefined();
    expect(yamlTooDeepAt(build(11), 10)).toBeDefined();
    expect(depthOf(parseDocument(build(11)).toJS())).toBeGreaterThanOrEqual(11);
  });

  it('counts a sequence written at its key\'s indentation as nested in it', () => {
    // k0 (1) - (2) k1 (3) - (4) k2 (5) - (6) k3 (7) - (8) k4 (9)
    const text = ['k0:', '- k1:', '  - k2:', '    - k3:', '      - k4: 1'].join('\n');
    expect(depthOf(parseDocument(text).toJS())).toBe(9);
    expect(yamlTooDeepAt(text, 9)).toBeUndefined();
    expect(yamlTooDeepAt(text, 8)).toBeDefined();
  });

  it('catches a bomb behind an apostrophe in a plain scalar', () => {
    expect(yamlTooDeepAt(`name: O'Brien\nlist: ${'['.repeat(100)}${']'.repeat(100)}\n`, 64)).toBeDefined();
  });

  it('scans a megabyte of brackets in milliseconds', () => {
    const text = '['.repeat(1024 * 1024);
    // Built before the clock starts: yaml's stringify of 20,000 items took most of the time measured here.
    const sane = stringify({ list: Array.from({ length: 20_000 }, (_, i) => ({ id: i, name: `n${i}` })) });
    const started = performance.now();
    expect(yamlTooDeepAt(text, 64)).toBe(64);
    expect(jsonTooDeepAt(text, 64)).toBe(64);
    expect(yamlTooDeepAt(sane, 64)).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('jsonTooDeepAt', () => {
  it('counts brackets outside strings only, escaped quotes included', () => {
    expect(jsonTooDeepAt('{"a": "\\"[[[[[[[[{{{{{{", "b": ["]]]]"]}', 2)).toBeUndefined();
    expect(jsonTooDeepAt('{"a": [[1]]}', 2)).toBe(7);
    expect(jsonTooDeepAt(JSON.stringify({ a: { b: { c: [1] } } }), 4)).toBeUndefined();
  });
});
