import { describe, expect, it } from 'vitest';
import { closest, MAX_SUGGESTION_INPUT } from '../../src/text/closest.js';
import { runConfigChecks, tempDir, writeConfig } from '../support/config-files.js';

const TOP_LEVEL_KEYS = ['profile', 'environment', 'connectivity', 'region', 'organisationId', 'client', 'signing', 'transport', 'endpoints', 'probe', 'http', 'expiryWarningDays'];
/** Just under golive's 1 MiB limit on a config file, so the whole file is read. */
const ONE_MB = 1_000_000;

describe('closest', () => {
  it.each([
    ['enviroment', TOP_LEVEL_KEYS, 'environment'],
    ['Region', TOP_LEVEL_KEYS, 'region'],
    ['clinet', TOP_LEVEL_KEYS, 'client'],
    ['chekc', ['check', 'schema', 'init'], 'check'],
    ['x', TOP_LEVEL_KEYS, undefined],
    ['organisation', TOP_LEVEL_KEYS, 'organisationId'],
    ['expiry', TOP_LEVEL_KEYS, undefined],
  ])('%s among %j: %s', (word, candidates, expected) => {
    expect(closest(word, candidates)).toBe(expected);
  });

  it(`suggests for words up to ${MAX_SUGGESTION_INPUT} characters, not beyond`, () => {
    const long = 'a'.repeat(MAX_SUGGESTION_INPUT - 1);
    expect(closest(`${long}b`, [`${long}c`])).toBe(`${long}c`);
    expect(closest(`${long}bb`, [`${long}bc`])).toBeUndefined();
  });

  it('answers at once for a 1 MB word (the full edit distance took 21 s and 500 MB)', () => {
    const started = performance.now();
    expect(closest('x'.repeat(ONE_MB), TOP_LEVEL_KEYS)).toBeUndefined();
    expect(closest(`environment${'x'.repeat(ONE_MB)}`, TOP_LEVEL_KEYS)).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('a 1 MB key or value in a config', () => {
  const dir = tempDir('golive-closest-');

  it.each([
    ['an unknown top-level key', 'json', JSON.stringify({ profile: 'thredd', ['k'.repeat(ONE_MB)]: 1 }), /unknown key "k{57}\.\.\." \(1000000 characters\) at the top level; allowed keys: \$schema, profile, /],
    ['an unknown key in a section', 'yaml', `client:\n  ? ${'k'.repeat(ONE_MB)}\n  : 1\n`, /unknown key "k{57}\.\.\." \(1000000 characters\) in client; allowed keys: id, /],
    ['an enumerated value', 'yaml', `client:\n  authMethod: ${'a'.repeat(ONE_MB)}\n`, /client\.authMethod must be one of client_secret_post, client_secret_basic, private_key_jwt; got "a{56}\.\.\./],
  ])('%s is a short schema message, quickly', async (_name, format, text, message) => {
    const file = writeConfig(dir, text, { name: `golive.${format}` });
    const started = performance.now();
    const schema = (await runConfigChecks(file))['config.schema']!;
    const elapsed = performance.now() - started;
    expect(schema.status).toBe('fail');
    const shown = (schema.status === 'fail' && schema.message) || '';
    expect(shown).toMatch(message);
    expect(shown.length).toBeLessThan(2000);
    expect(elapsed).toBeLessThan(5000);
  });
});
