import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { parseDocument, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { readPlainYaml } from '../../src/config/plain-yaml.js';
import { starterConfig } from '../../src/init/template.js';

// readPlainYaml must agree with the yaml library on every text it reads, and
// decline the rest: the library is the reference, with parse.ts's options.

/** What the yaml library makes of a text, as config.parse asks it; undefined when it finds an error. */
function library(text: string): unknown {
  const document = parseDocument(text, { prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  return document.errors.length > 0 ? undefined : document.toJS({ maxAliasCount: 100 });
}

/** Reads `text`, checking that whatever it reads is what the library reads; true when it did. */
function agrees(text: string): boolean {
  const read = readPlainYaml(text);
  if (read === undefined) return false;
  const expected = library(text);
  expect(expected, text).toBeDefined();
  // node's comparison, not toStrictEqual's: that takes an own `constructor` key for the type.
  expect(isDeepStrictEqual(read, expected), `${text}\nread ${JSON.stringify(read)}\nexpected ${JSON.stringify(expected)}`).toBe(true);
  return true;
}

const KEYS = ['environment', 'client', 'id', 'authMethod', 'x-y', 'k_1', 'a', 'on', 'constructor', 'toString'];
const AWKWARD_KEYS = ['null', 'True', 'false', '__proto__', '1', 'a b', 'k:', 'é'];
/** Values as written after `key: `: plain ones it reads, and awkward ones it must read right or decline. */
const PLAIN = [
  'plain',
  'two  words',
  'https://threddid.com/oauth2/token?a=b&c=d',
  'certs/uat/signing.pem',
  '../../pki/signing.pem',
  '.info',
  'a:b',
  'a - b',
  'a,b',
  '_x',
  '/',
  '"quoted"',
  '"q # x"',
  '"${THREDD_ORG_ID}"',
  '"it\'s"',
  "'single'",
  '\'a"b\\c\'',
  '""',
  "''",
  'null',
  'Null',
  'true',
  'False',
  'yes',
  '0',
  '60',
  '123456789012345',
  '[]',
  '[] # none',
  '6226f120-487a-4e5b-b603-0834b5bf6c37',
  '1a',
  '2026-12-03',
  '12:30',
  '1.2.3',
  '0x1G',
  '1e',
  '.info',
  'http://127.0.0.1:37967/{organisationId}/jwks.json',
  '${THREDD_CLIENT_SECRET}',
  '$x',
  'a{b}',
  'x[0]',
  '-aBc_9x',
  '--kid',
  '_kid-',
];
const AWKWARD = [
  'a :b',
  'a: b',
  'a:',
  'a #b',
  'a#b',
  'a ?b',
  '"a\\nb"',
  "'it''s'",
  '"unterminated',
  '"a"#c',
  '"a" x',
  '~',
  'NULL',
  '007',
  '-1',
  '+1',
  '1.5',
  '1e3',
  '0x1F',
  '0o17',
  '.5',
  '.inf',
  '.nan',
  '.NaN',
  '-.inf',
  '1.',
  '1e+3',
  '.5e3',
  '0o8',
  '1_000',
  '0b101',
  '1234567890123456',
  '[1]',
  '{}',
  '&a x',
  '*a',
  '!!str 1',
  '|',
  '>',
  '- a',
  '-',
  '%x',
  '@x',
  '`x',
  '{a}',
  '[a',
  'a: {b}',
  'café',
  'x\ty',
];

interface Tree {
  [key: string]: string | string[] | Tree | null;
}

const written = fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...PLAIN) }, { weight: 1, arbitrary: fc.constantFrom(...AWKWARD) });
const key = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...KEYS) },
  { weight: 4, arbitrary: fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,8}$/) },
  { weight: 1, arbitrary: fc.constantFrom(...AWKWARD_KEYS) },
);
const tree: fc.Arbitrary<Tree> = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.dictionary(key, fc.oneof({ weight: 6, arbitrary: written }, { weight: 1, arbitrary: fc.array(written, { minLength: 1, maxLength: 3 }) }, { weight: 1, arbitrary: fc.constant(null) }, { weight: 2, arbitrary: tie('tree') }), { minKeys: 1, maxKeys: 5, depthIdentifier: 'tree' }),
})).tree;

/** A tree written as YAML with its values as they are (not escaped), `unit` spaces per level, comments and blank lines between. */
function write(value: Tree, unit: number, noise: readonly number[], depth = 0): string[] {
  const pad = ' '.repeat(unit * depth);
  return Object.entries(value).flatMap(([name, item], index) => {
    const extra = noise[(depth * 7 + index) % noise.length]!;
    const before = extra === 1 ? ['', `${' '.repeat(index)}# a comment: with "quotes"`] : [];
    const comment = extra === 2 ? '   # why' : '';
    if (item === null) return [...before, `${pad}${name}:${comment}`];
    if (typeof item === 'string') return [...before, `${pad}${name}: ${item}${comment}`];
    if (Array.isArray(item)) return [...before, `${pad}${name}:${comment}`, ...item.map((entry) => `${pad}${' '.repeat(unit)}- ${entry}`)];
    return [...before, `${pad}${name}:${comment}`, ...write(item, unit, noise, depth + 1)];
  });
}

const MUTATIONS = [' ', '\t', '\r', ':', '#', '-', '"', "'", '\n', '\n  ', 'é', '{', '[', '&', '*', '!', '|', '\\', '\u00a0', '\ufeff'];

describe('readPlainYaml', () => {
  it('reads what the yaml library reads, or declines (property)', () => {
    let read = 0;
    const runs = 400;
    fc.assert(
      fc.property(tree, fc.integer({ min: 1, max: 4 }), fc.array(fc.nat({ max: 3 }), { minLength: 1, maxLength: 9 }), (value, unit, noise) => {
        if (agrees(`${write(value, unit, noise).join('\n')}\n`)) read++;
      }),
      { numRuns: runs },
    );
    // Not vacuous: plenty of the texts are of the plain kind.
    expect(read).toBeGreaterThan(runs / 10);
  });

  it('reads what the yaml library reads, or declines, in texts with a character put in or taken out (property)', () => {
    fc.assert(
      fc.property(tree, fc.array(fc.nat({ max: 3 }), { minLength: 1, maxLength: 9 }), fc.nat(), fc.constantFrom(...MUTATIONS, ''), (value, noise, at, inserted) => {
        const text = `${write(value, 2, noise).join('\n')}\n`;
        const where = at % text.length;
        agrees(text.slice(0, where) + inserted + text.slice(where + (inserted === '' ? 1 : 0)));
      }),
      { numRuns: 400 },
    );
  });

  it('reads what the yaml library writes for plain data, as that data (property)', () => {
    const data = fc.dictionary(
      fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,8}$/),
      fc.oneof(fc.string({ unit: 'grapheme-ascii' }), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string({ unit: 'grapheme-ascii', maxLength: 8 }), { maxLength: 3 }), fc.dictionary(fc.constantFrom('id', 'secret', 'ca'), fc.string({ unit: 'grapheme-ascii', maxLength: 12 }), { noNullPrototype: true })),
      { minKeys: 1, noNullPrototype: true },
    );
    fc.assert(
      fc.property(data, (value) => {
        const text = stringify(value, { lineWidth: 0 });
        if (agrees(text)) expect(isDeepStrictEqual(readPlainYaml(text), value)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('reads every starter config golive init writes', () => {
    for (const environment of ['uat', 'production'] as const) {
      for (const connectivity of ['tls', 'mtls'] as const) {
        for (const authMethod of ['private_key_jwt', 'client_secret_basic', 'client_secret_post'] as const) {
          expect(agrees(starterConfig({ environment, connectivity, authMethod }))).toBe(true);
        }
      }
    }
  });

  it('agrees with the yaml library on every YAML config among the fixtures', () => {
    const root = path.join(import.meta.dirname, '../../fixtures/configs');
    let read = 0;
    for (const folder of ['good', 'broken']) {
      for (const name of readdirSync(path.join(root, folder)).filter((file) => /\.ya?ml$/.test(file))) {
        if (agrees(readFileSync(path.join(root, folder, name), 'utf8').replace(/^\uFEFF/, ''))) read++;
      }
    }
    expect(read).toBeGreaterThan(20);
  });

  it('declines what it does not read, rather than reading it otherwise', () => {
    for (const text of [
      'a: 1\na: 2\n', // a duplicate key: the library's error
      'a: b\n  c\n', // a plain scalar on two lines
      'a:\n- b\n', // a list at its key's indentation
      'a: [1, 2]\n',
      'a: &x 1\nb: *x\n',
      'a: |\n  text\n',
      '  a: 1\n',
      '%YAML 1.1\n---\na: yes\n',
      'a: 1\r\nb: 2\r\n',
      '# only a comment\n',
    ]) {
      expect(readPlainYaml(text), text).toBeUndefined();
    }
    expect(readPlainYaml('a:\n  b: "x"   # c\n  c:\n    - 1\n    - two\nd: []\ne:\n')).toStrictEqual({ a: { b: 'x', c: [1, 'two'] }, d: [], e: null });
  });
});
