import { execFileSync } from 'node:child_process';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import configParse from '../../checks/config.parse.js';
import { contextFor, tempDir, writeConfig } from '../support/config-files.js';
import { issue, pemBody, pkcs12Of, type Issued } from '../support/credentials.js';
import { fixturePath, sidecarTarget, useFixtureWorkspace } from '../support/fixtures.js';

const dir = tempDir();
/** The catalogue's configs beside a generated pki/: the key, certificate, bundle and folder given as the config. */
const fixtures = useFixtureWorkspace();

/** A config whose client section holds valid JSON (and so YAML) nested `depth` objects deep. */
function deepConfig(depth: number): string {
  const text = `{"environment": "uat", "client": ${'{"a": '.repeat(depth)}1${'}'.repeat(depth)}}`;
  JSON.parse(text);
  return text;
}

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
      name: 'a folder (configs/broken/folder-as-config.expect)',
      code: 'is-directory',
      file: () => fixtures.path(sidecarTarget('configs/broken/folder-as-config.expect')),
      message: /^keys-folder is a folder, not a config file/,
      hint: /YAML or JSON config file/,
    },
    { name: 'an empty file (configs/broken/empty.yaml)', code: 'empty', file: () => fixturePath('configs/broken/empty.yaml'), message: /^The config file empty\.yaml is empty/, hint: /golive init/ },
    { name: 'a file of blank lines', code: 'empty', file: () => writeConfig(dir, '  \n'), message: /is empty/, hint: /golive init/ },
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
      name: 'a duplicate key (configs/broken/yaml-duplicate-key.yaml)',
      code: 'invalid-yaml',
      file: () => fixturePath('configs/broken/yaml-duplicate-key.yaml'),
      message: /^yaml-duplicate-key\.yaml is not valid YAML at line 15, column 1: Map keys must be unique/,
      hint: /indentation/,
      line: 15,
      column: 1,
    },
    {
      name: 'a tab indent (configs/broken/yaml-tab-indent.yaml)',
      code: 'invalid-yaml',
      file: () => fixturePath('configs/broken/yaml-tab-indent.yaml'),
      message: /^yaml-tab-indent\.yaml is not valid YAML at line 9, column 1: Tabs are not allowed as indentation/,
      hint: /spaces, not tabs/,
      line: 9,
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
      name: 'YAML nested 20,000 deep in block sequences',
      code: 'too-deep',
      file: () => writeConfig(dir, `client:\n  scopes:\n    ${'- '.repeat(20_000)}x\n`),
      message: /^golive\.yaml is nested more than 64 levels deep \(at line 3, column \d+\)/,
      hint: /golive init --stdout/,
      line: 3,
    },
    {
      name: 'YAML nested 500,000 deep in compact sequences',
      code: 'too-deep',
      file: () => writeConfig(dir, `${'- '.repeat(500_000)}x\n`),
      message: /is nested more than 64 levels deep/,
      hint: /golive init --stdout/,
    },
    {
      name: 'a JSON trailing comma (configs/broken/json-trailing-comma.json)',
      code: 'invalid-json',
      file: () => fixturePath('configs/broken/json-trailing-comma.json'),
      message: /^json-trailing-comma\.json is not valid JSON at line 11, column 3/,
      hint: /trailing comma/,
      line: 11,
      column: 3,
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

  it.each(['deep.json', 'deep.yaml'])('fails on a valid config nested 20,000 deep (%s), naming the depth limit, not a stack overflow', async (name) => {
    const result = await configParse.run(contextFor(writeConfig(dir, deepConfig(20_000), { name })), {} as never);
    expect(result).toMatchObject({
      status: 'fail',
      code: 'too-deep',
      message: `${name} is nested more than 64 levels deep (at line 1, column 412); a golive config nests about five, so it was not parsed.`,
      hint: 'Name the golive config file; a config is a flat YAML or JSON document with the sections shown by `golive init --stdout`.',
      evidence: { problem: 'too-deep', nestingLimit: 64, location: { line: 1, column: 412 } },
    });
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

describe('config.parse: a key, certificate or PKCS#12 file given as the config', () => {
  let rsa: Issued;
  let ec: Issued;
  beforeAll(async () => {
    [rsa, ec] = await Promise.all([issue({ key: { kind: 'rsa' } }), issue({ key: { kind: 'ec' } })]);
  });

  const named = (what: string, field: string): string =>
    `Run golive on the YAML or JSON config that names this ${what}, under signing.${field} (or transport.${field} for mTLS); \`golive init\` writes a starter config.`;
  const HINTS: Record<string, string> = {
    'private-key-file': named('key', 'privateKey'),
    'certificate-file': named('certificate', 'certificate'),
    'pkcs12-file': named('bundle', 'privateKey'),
    'pem-file': 'Run golive on the YAML or JSON config file; `golive init` writes a starter config.',
  };
  const der = (pem: string): Buffer => Buffer.from(pemBody(pem), 'base64');
  const exported = (issued: Issued, type: 'pkcs1' | 'sec1' | 'pkcs8', format: 'pem' | 'der'): string | Buffer => {
    const cipher = type === 'pkcs8' ? { cipher: 'aes-256-cbc', passphrase: 'pw' } : {};
    return format === 'pem' ? issued.privateKey.export({ type, format, ...cipher }) : issued.privateKey.export({ type, format, ...cipher });
  };
  const pkcs1 = (issued: Issued, format: 'pem' | 'der') => exported(issued, 'pkcs1', format);
  const sec1 = (issued: Issued, format: 'pem' | 'der') => exported(issued, 'sec1', format);
  const encrypted = (issued: Issued, format: 'pem' | 'der') => exported(issued, 'pkcs8', format);

  /** A catalogue sidecar (configs/broken/NAME.expect) whose `# config:` file, in the workspace's generated pki/, is given as the config. */
  type Catalogued = { sidecar: string };
  const catalogued = (name: string): Catalogued => ({ sidecar: `configs/broken/${name}` });

  /** [case, file name, content (or the catalogue file), code, what the message says the file is (after "<file> is ")] */
  const table: [string, string, (() => string | Buffer) | Catalogued, string, string][] = [
    ['an RSA key, PKCS#8 PEM (private-key-as-config.expect)', 'signing.key', catalogued('private-key-as-config.expect'), 'private-key-file', 'a private key (PEM)'],
    ['an RSA key, PKCS#1 PEM', 'rsa.key', () => pkcs1(rsa, 'pem'), 'private-key-file', 'a private key (PEM)'],
    ['an EC key, SEC1 PEM', 'ec.pem', () => sec1(ec, 'pem'), 'private-key-file', 'a private key (PEM)'],
    ['an encrypted PKCS#8 PEM key', 'encrypted.pem', () => encrypted(rsa, 'pem'), 'private-key-file', 'a private key (PEM)'],
    ['a key and its certificate in one PEM file', 'both.pem', () => `${rsa.keyPem}${rsa.certPem}`, 'private-key-file', 'a private key (PEM, with a certificate)'],
    ['an RSA key, PKCS#8 DER', 'key.der', () => der(rsa.keyPem), 'private-key-file', 'a private key (DER)'],
    ['an RSA key, PKCS#1 DER', 'rsa.der', () => pkcs1(rsa, 'der'), 'private-key-file', 'a private key (DER)'],
    ['an EC key, SEC1 DER', 'ec.der', () => sec1(ec, 'der'), 'private-key-file', 'a private key (DER)'],
    ['an encrypted PKCS#8 DER key', 'encrypted.der', () => encrypted(rsa, 'der'), 'private-key-file', 'a private key (DER)'],
    ['a certificate, PEM (certificate-as-config.expect)', 'signing.pem', catalogued('certificate-as-config.expect'), 'certificate-file', 'a certificate (PEM)'],
    ['a certificate chain, PEM', 'chain.pem', () => `${rsa.certPem}${ec.certPem}`, 'certificate-file', 'a certificate (PEM, 2 certificates)'],
    ['a certificate after the attributes openssl pkcs12 prints', 'exported.pem', () => `Bag Attributes\n    localKeyID: 01 02\nsubject=CN = x\nissuer=CN = x\n${rsa.certPem}`, 'certificate-file', 'a certificate (PEM)'],
    ['a certificate after the text openssl x509 -text prints', 'issued.pem', () => `Certificate:\n    Data:\n        Version: 3 (0x2)\n        Serial Number:\n            4c:1e\n${rsa.certPem}`, 'certificate-file', 'a certificate (PEM)'],
    ['a key after the text openssl rsa -text prints', 'dump.key', () => `Private-Key: (2048 bit, 2 primes)\nmodulus:\n    00:af:a6:20\npublicExponent: 65537 (0x10001)\nprivateExponent:\n    4c:1e:07\n${rsa.keyPem}`, 'private-key-file', 'a private key (PEM)'],
    ['a certificate with a byte order mark', 'bom.pem', () => `\uFEFF${rsa.certPem}`, 'certificate-file', 'a certificate (PEM)'],
    ['a certificate, DER', 'cert.cer', () => der(rsa.certPem), 'certificate-file', 'a certificate (DER)'],
    ['a PKCS#12 bundle (pkcs12-as-config.expect)', 'signing.p12', catalogued('pkcs12-as-config.expect'), 'pkcs12-file', 'a PKCS#12 bundle (a private key with its certificates)'],
    ['a PKCS#12 bundle under another name', 'bundle.bin', () => pkcs12Of(rsa, null), 'pkcs12-file', 'a PKCS#12 bundle (a private key with its certificates)'],
    ['a public key, PEM', 'public.pem', () => publicPem(rsa), 'pem-file', 'a PEM file (PUBLIC KEY)'],
  ];
  const cases = table.map(([name, file, content, code, what]) => ({
    name,
    file,
    content,
    code,
    message: `${file} is ${what}, not a golive config.`,
    hint: HINTS[code]!,
    encoding: what.includes('(DER)') || code === 'pkcs12-file' ? 'der' : 'pem',
  }));

  it.each(cases)('fails on $name, naming what the file is and never showing its content', async ({ file, content, code, message, hint, encoding }) => {
    let written: string;
    if (typeof content === 'function') {
      written = writeConfig(dir, '', { name: file });
      writeFileSync(written, content());
    } else {
      written = fixtures.path(sidecarTarget(content.sidecar));
      expect(path.basename(written)).toBe(file);
    }
    const bytes = encoding === 'pem' ? readFileSync(written, 'utf8') : readFileSync(written);
    const outcome = await configParse.run(contextFor(written), {} as never);
    expect(outcome).toMatchObject({ status: 'fail', code, message, hint, evidence: { problem: code, encoding } });
    const shown = JSON.stringify(outcome);
    const base64 = Buffer.isBuffer(bytes) ? bytes.toString('base64') : pemBody(bytes);
    for (let at = 0; at + 16 <= base64.length; at += 16) expect(shown).not.toContain(base64.slice(at, at + 16));
  });

  it('still parses a config that holds a PEM block as a value', async () => {
    const text = `environment: uat\nnote: |\n  ${rsa.certPem.trim().split('\n').join('\n  ')}\n`;
    const outcome = await configParse.run(contextFor(writeConfig(dir, text)), {} as never);
    expect(outcome.status).toBe('pass');
  });
});

function publicPem(issued: Issued): string {
  return new X509Certificate(issued.certPem).publicKey.export({ type: 'spki', format: 'pem' }) as string;
}
