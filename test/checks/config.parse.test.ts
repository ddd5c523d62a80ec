import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import configParse from '../../checks/config.parse.js';
import { contextFor, tempDir, writeConfig } from '../support/config-files.js';

const dir = tempDir();

describe('config.parse', () => {
  it('passes on valid YAML and reports its sha256', async () => {
    const file = writeConfig(dir, 'environment: uat\n');
    const result = await configParse.run(contextFor(file), {} as never);
    expect(result.status).toBe('pass');
    expect(result.evidence).toMatchObject({ format: 'yaml', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('passes on valid JSON', async () => {
    const file = writeConfig(dir, '{"environment": "uat"}', { name: 'c.json' });
    const result = await configParse.run(contextFor(file), {} as never);
    expect(result.status).toBe('pass');
    expect(result.evidence).toMatchObject({ format: 'json' });
  });

  const failures: { name: string; file: () => string; code: string; message: RegExp; hint: RegExp; line?: number; column?: number }[] = [
    {
      name: 'a missing file',
      code: 'not-found',
      file: () => path.join(dir, 'nope.yaml'),
      message: /nope\.yaml does not exist/,
      hint: /golive init/,
    },
    {
      name: 'a folder',
      code: 'is-directory',
      file: () => {
        const folder = path.join(dir, 'folder.yaml');
        mkdirSync(folder, { recursive: true });
        return folder;
      },
      message: /is a folder/,
      hint: /YAML or JSON config file/,
    },
    { name: 'an empty file', code: 'empty', file: () => writeConfig(dir, '  \n'), message: /is empty/, hint: /golive init/ },
    { name: 'a binary file', code: 'binary', file: () => writeConfig(dir, 'abc\u0000def'), message: /binary file/, hint: /\.p12/ },
    {
      name: 'bad YAML indentation',
      code: 'invalid-yaml',
      file: () => writeConfig(dir, 'client:\n  id: a\n    authMethod: x\n'),
      message: /not valid YAML at line 2, column 7: Nested mappings/,
      hint: /indentation/,
      line: 2,
    },
    {
      name: 'a duplicate key',
      code: 'invalid-yaml',
      file: () => writeConfig(dir, 'environment: uat\nenvironment: production\n'),
      message: /not valid YAML at line 2, column 1: Map keys must be unique/,
      hint: /indentation/,
      line: 2,
      column: 1,
    },
    {
      name: 'a FIFO, which would block the read until a writer came',
      code: 'not-a-file',
      file: () => {
        const fifo = path.join(dir, 'fifo.yaml');
        execFileSync('mkfifo', [fifo]);
        return fifo;
      },
      message: /^fifo\.yaml is a FIFO \(named pipe\), not a regular file; golive reads a config only from a regular file\.$/,
      hint: /regular file|YAML or JSON config file/,
    },
    { name: '/dev/zero, which never ends', code: 'not-a-file', file: () => '/dev/zero', message: /^zero is a character device, not a regular file/, hint: /config file itself/ },
    {
      name: 'a file over the 1 MiB limit',
      code: 'too-large',
      file: () => writeConfig(dir, `# ${'x'.repeat(1024 * 1024)}\nenvironment: uat\n`),
      message: /is 1\.0 MiB \(10485\d\d bytes\), over golive's limit of 1 MiB for this file; a golive config is a few kilobytes/,
      hint: /not a log/,
    },
    {
      name: 'JSON nested 500,000 deep',
      code: 'too-deep',
      file: () => writeConfig(dir, `${'['.repeat(500_000)}${']'.repeat(500_000)}`, { name: 'deep.json' }),
      message: /^deep\.json is nested more than 64 levels deep \(at line 1, column 65\); a golive config nests about five, so it was not parsed\.$/,
      hint: /golive init --stdout/,
      line: 1,
      column: 65,
    },
    {
      name: 'YAML nested 10,000 deep in flow collections',
      code: 'too-deep',
      file: () => writeConfig(dir, `client: ${'{a: '.repeat(10_000)}1${'}'.repeat(10_000)}\n`),
      message: /is nested more than 64 levels deep \(at line 1, column \d+\)/,
      hint: /golive init --stdout/,
    },
    {
      name: 'YAML nested 500,000 deep in compact sequences',
      code: 'too-deep',
      file: () => writeConfig(dir, `${'- '.repeat(500_000)}x\n`),
      message: /is nested more than 64 levels deep/,
      hint: /golive init --stdout/,
    },
    {
      name: 'a JSON syntax error',
      code: 'invalid-json',
      file: () => writeConfig(dir, '{\n  "environment": "uat",\n}\n', { name: 'c.json' }),
      message: /not valid JSON at line 3, column 1/,
      hint: /trailing comma/,
      line: 3,
      column: 1,
    },
    {
      name: 'a symbolic link that points at itself',
      file: () => {
        const loop = path.join(dir, 'loop.yaml');
        symlinkSync('loop.yaml', loop);
        return loop;
      },
      code: 'unreadable',
      message: /^The config file loop\.yaml cannot be read \(ELOOP\)\.$/,
      hint: /file permissions/,
    },
  ];

  it.each(failures)('fails on $name', async ({ file, code, message, hint, line, column }) => {
    const result = await configParse.run(contextFor(file()), {} as never);
    expect(result.status).toBe('fail');
    expect(result.code).toBe(code);
    expect(result.message).toMatch(message);
    expect(result.hint).toMatch(hint);
    if (line !== undefined) expect(result.evidence?.location).toMatchObject({ line, ...(column && { column }) });
  });

  it.each([
    ['an unresolved alias', 'environment: uat\nclient: *nosuch\n', 2, 9],
    ['an alias bomb', 'a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n', 2, 8],
  ])('fails on %s with the alias position, never an internal error', async (_name, text, line, column) => {
    const result = await configParse.run(contextFor(writeConfig(dir, text as string)), {} as never);
    expect(result.status).toBe('fail');
    expect(result.code).toBe('invalid-yaml');
    expect(result.message).toMatch(/is not valid YAML at line \d+, column \d+: a YAML alias cannot be used here/);
    expect(result.evidence?.location).toMatchObject({ line, column });
  });

  it.each([
    ['JSON', 'deep.json', (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`],
    ['YAML', 'deep.yaml', (depth: number) => `${'- '.repeat(depth)}x\n`],
  ])('refuses %s nested 500,000 deep in well under a second and a few MB, not after seconds and hundreds of MB', async (_format, name, text) => {
    const file = writeConfig(dir, text(500_000), { name });
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    const result = await configParse.run(contextFor(file), {} as never);
    const ms = performance.now() - started;
    expect(result.message).toMatch(/nested more than 64 levels deep/);
    expect(result.evidence).toMatchObject({ problem: 'too-deep', nestingLimit: 64 });
    // The parser took 6 to 11 s and 600 MB here; the scan takes milliseconds. Generous bounds for a loaded machine.
    expect(ms).toBeLessThan(3000);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(100 * 1024 * 1024);
  });

  it('never quotes the file content in a syntax error (it may hold a secret)', async () => {
    const file = writeConfig(dir, 'client:\n  secret: s3cr3t-canary: oops\n');
    const result = await configParse.run(contextFor(file), {} as never);
    expect(result).toMatchObject({ status: 'fail', code: 'invalid-yaml' });
    expect(JSON.stringify(result)).not.toContain('s3cr3t-canary');
  });
});
