import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEnvFiles } from '../../src/config/env-files.js';
import { interpolate, parseEnvFile } from '../../src/config/interpolate.js';
import { tempDir } from '../support/config-files.js';

const NAMES = Object.getOwnPropertyNames(Object.prototype);
const MB = 1_000_000;
/** Far above a linear pass over 1 MB (under 100 ms; more on a loaded machine), far below a quadratic one (minutes). */
const LINEAR_BOUND_MS = 2_000;

function elapsedMs(run: () => void): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

describe('readEnvFiles', () => {
  const dir = tempDir('golive-env-files-');

  it('keeps __proto__ and constructor as variables like any other', async () => {
    writeFileSync(path.join(dir, 'proto.env'), '__proto__=x\nconstructor=y\nTHREDD_CLIENT_SECRET=s\n');
    const { variables, secrets } = await readEnvFiles(['proto.env'], dir);
    expect(Object.hasOwn(variables, '__proto__')).toBe(true);
    expect(Object.hasOwn(variables, 'constructor')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(variables, '__proto__')?.value).toBe('x');
    expect(Object.getOwnPropertyDescriptor(variables, 'constructor')?.value).toBe('y');
    expect(Object.keys(variables)).toEqual(['__proto__', 'constructor', 'THREDD_CLIENT_SECRET']);
    expect(secrets).toEqual(['s']);
    expect(interpolate({ a: '${__proto__}', b: '${constructor}' }, variables)).toMatchObject({ data: { a: 'x', b: 'y' }, missing: [] });
    // As the CLI and the API pass them on: spread over the process environment.
    expect(interpolate('${__proto__}-${constructor}', { ...process.env, ...variables }).data).toBe('x-y');
  });

  it('keeps every Object.prototype name, later files winning', async () => {
    writeFileSync(path.join(dir, 'first.env'), NAMES.map((name) => `${name}=first`).join('\n'));
    writeFileSync(path.join(dir, 'second.env'), NAMES.map((name) => `${name}=second-${name}`).join('\n'));
    const { variables } = await readEnvFiles(['first.env', 'second.env'], dir);
    expect(Object.keys(variables)).toEqual(NAMES);
    for (const name of NAMES) {
      expect(Object.getOwnPropertyDescriptor(variables, name)?.value).toBe(`second-${name}`);
      expect(interpolate(`\${${name}}`, variables)).toMatchObject({ data: `second-${name}`, missing: [] });
    }
  });
});

describe('parseEnvFile', () => {
  it.each([
    ['a plain value', 'A=b', { A: 'b' }],
    ['export and spaces around =', '  export   A  =  b  ', { A: 'b' }],
    ['a variable called export', 'export = b', { export: 'b' }],
    ['an inline comment after whitespace', 'A=b   # note', { A: 'b' }],
    ['an inline comment after a tab', 'A=b\t# note # more', { A: 'b' }],
    ['a # with no whitespace before it', 'A=b#c d', { A: 'b#c d' }],
    ['a value that starts with #', 'A=#b # c', { A: '#b' }],
    ['a value that is only a comment', 'A= # c', { A: '# c' }],
    ['a comment inside double quotes', 'A="b # c"', { A: 'b # c' }],
    ['escapes in double quotes', 'A="b\\nc\\"d"', { A: 'b\nc"d' }],
    ['single quotes kept literal', "A='b\\nc'", { A: 'b\\nc' }],
    ['an unbalanced quote', 'A="b # c', { A: '"b' }],
    ['an empty value', 'A=', { A: '' }],
    ['CRLF line ends', 'A=1\r\nB=2\r\n', { A: '1', B: '2' }],
    ['a lone CR inside a value (no variable)', 'A=b\rc', {}],
    ['a lone CR before the value', 'A=\rb', { A: 'b' }],
    ['comments, blank lines and lines that are not assignments', '# c\n\n1A=x\nA B=c\nA\n=x\nC=3', { C: '3' }],
  ])('reads %s', (_label, text, expected) => {
    expect({ ...parseEnvFile(text) }).toEqual(expected);
  });

  it.each([
    ['whitespace before a value end', `A=x${' '.repeat(MB)}y`, 'A', `x${' '.repeat(MB)}y`],
    ['whitespace before a lone CR', `A=${' '.repeat(MB)}x\ry`, 'A', undefined],
    ['whitespace then #, many times', `A=x${' \t#'.repeat(MB / 3)}`, 'A', 'x'],
    ['# without whitespace, many times', `A=${'x#'.repeat(MB / 2)}`, 'A', 'x#'.repeat(MB / 2)],
    ['export and whitespace without =', `export${' '.repeat(MB)}x`, 'x', undefined],
    ['a name without =', 'A'.repeat(MB), 'A', undefined],
  ])('reads a 1 MB line of %s in linear time', (_label, line, name, value) => {
    let variables: Record<string, string> = {};
    expect(elapsedMs(() => (variables = parseEnvFile(`${line}\n`)))).toBeLessThan(LINEAR_BOUND_MS);
    expect(variables[name]).toBe(value);
  });
});
