import { describe, expect, it } from 'vitest';
import { unseenCharacters, withoutUnseen } from '../../src/config/pasted.js';

describe('unseen characters in a pasted value', () => {
  it.each([
    ['abc', undefined, 'abc'],
    ['abc\n', 'ends with a line break ("\\n")', 'abc'],
    ['abc\r\n', 'ends with a line break ("\\r\\n")', 'abc'],
    [' abc', 'starts with a space', 'abc'],
    ['\tabc  ', 'starts with a tab ("\\t") and ends with 2 spaces', 'abc'],
    ['ab\u200bc', 'holds an invisible character', 'abc'],
    ['a  b', undefined, 'a  b'],
    ['   ', 'is only 3 spaces', ''],
  ])('%j: %s', (value, where, meant) => {
    expect(unseenCharacters(value)).toBe(where);
    expect(withoutUnseen(value)).toBe(meant);
  });

  it('names a secret\'s unseen characters without showing them', () => {
    expect(unseenCharacters(' s3cr3t\n', { secret: true })).toBe('starts with a space and ends with a line break');
  });

  it('reads a value with a long inner run of spaces in linear time', () => {
    // A `[\s]+$` regular expression retried from every space of the run: minutes for this value.
    const value = `a${' '.repeat(300_000)}b`;
    const started = performance.now();
    expect(unseenCharacters(value)).toBeUndefined();
    expect(withoutUnseen(value)).toBe(value);
    expect(unseenCharacters(`${value}\n`)).toBe('ends with a line break ("\\n")');
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
