import { describe, expect, it } from 'vitest';
import { notStrictEqual, strictEqual } from '../../src/cli/yargs/assert.js';
import escalade from '../../src/cli/yargs/escalade.js';
import stringWidth from '../../src/cli/yargs/string-width.js';
import y18n from '../../src/cli/yargs/y18n.js';

// The four modules bundling puts in place of yargs dependencies (tsup.config.ts).

describe('string-width', () => {
  it.each([
    ['', 0],
    ['--offline', 9],
    ['\u001b[1mbold\u001b[22m', 4],
    ['\u001b]8;;https://example.com\u0007link\u001b]8;;\u0007', 4],
    ['golive — check', 14],
    ['日本語', 6],
    ['👍 ok', 5],
    ['e\u0301', 1],
    ['a\u200bb', 2],
  ])('%j is %i columns wide', (text, width) => {
    expect(stringWidth(text)).toBe(width);
  });

  it('a non-string is 0 wide', () => {
    expect(stringWidth(undefined)).toBe(0);
  });
});

describe('y18n', () => {
  it('a message is its key with the values placed, unless updateLocale replaced it', () => {
    const strings = y18n();
    expect(strings.__('Unknown argument: %s', 'x')).toBe('Unknown argument: x');
    strings.updateLocale({ 'Unknown argument: %s': 'unknown %s' });
    expect(strings.__('Unknown argument: %s', 'x')).toBe('unknown x');
    expect(strings.getLocale()).toBe('en');
  });

  it('__n picks singular or plural, from updateLocale\'s one/other when given, and places %d', () => {
    const strings = y18n();
    expect(strings.__n('%d file', '%d files', 1)).toBe('1 file');
    expect(strings.__n('%d file', '%d files', 3)).toBe('3 files');
    strings.updateLocale({ 'Unknown argument: %s': { one: 'one: %s', other: 'many: %s' } });
    expect(strings.__n('Unknown argument: %s', 'Unknown arguments: %s', 1, 'a')).toBe('one: a');
    expect(strings.__n('Unknown argument: %s', 'Unknown arguments: %s', 2, 'a, b')).toBe('many: a, b');
  });

  it('reads no file: a key like a path or __proto__ is just a key', () => {
    const strings = y18n();
    expect(strings.__('__proto__')).toBe('__proto__');
    expect(strings.__('../../locales/en.json')).toBe('../../locales/en.json');
  });
});

describe('escalade and assert', () => {
  it('escalade finds no package.json', () => {
    expect(escalade()).toBeUndefined();
  });

  it('strictEqual and notStrictEqual throw the message given', () => {
    expect(() => strictEqual(1, 1)).not.toThrow();
    expect(() => strictEqual(1, 2, 'not equal')).toThrow('not equal');
    expect(() => notStrictEqual(1, 2)).not.toThrow();
    expect(() => notStrictEqual(null, null, new TypeError('same'))).toThrow(TypeError);
  });
});
