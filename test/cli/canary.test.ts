import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/types.js';
import { issue, pemBody, pkcs12Of } from '../support/credentials.js';
import { CLI, golive, type CliResult } from '../support/cli.js';

// The redaction canary: known secret values go in through every door the
// CLI has (environment, --env-file, encrypted keys, key files), and none of
// them, in any encoding, may come out of any door (stdout, stderr, artifacts).





const CANARY = {
  clientSecret: 'CanaryClientSecret-9f3bX7qLmZ2wQe',
  passphrase: 'CanaryPassphrase-h4Kd8sQv1RtY',
  wrongPassphrase: 'CanaryWrongPassphrase-Lq2Vb7Nn',
  bundlePassphrase: 'CanaryBundlePass-3mXc9Tz0Ae',
  apiToken: 'CanaryApiToken-Zp6yT0cWn3Ku',
} as const;

const IDS = { THREDD_ORG_ID: 'org-1234', THREDD_CLIENT_ID: '6f1c7a52-3b8e-4f5e-9d3a-2b7c1e0f4a11' };

/** Every variable, secret ones included, as the environment would hold them. */
const SECRET_ENV = {
  ...IDS,
  THREDD_CLIENT_SECRET: CANARY.clientSecret,
  SIGNING_KEY_PASSPHRASE: CANARY.passphrase,
  TRANSPORT_KEY_PASSPHRASE: CANARY.bundlePassphrase,
  MY_API_TOKEN: CANARY.apiToken,
};

const FORMATS = ['pretty', 'plain', 'json', 'junit', 'markdown', 'github'] as const;

/**
 * Uses every secret: the client secret (not needed by private_key_jwt, so
 * also a consistency warning), an encrypted signing key, a PKCS#12 transport
 * bundle, and a TOKEN variable in a scope and in the organisation id (which
 * lands in the JWKS URL and the report's config summary).
 */
const FULL_CONFIG = `profile: thredd
environment: uat
connectivity: mtls
region: 1
organisationId: "\${THREDD_ORG_ID}-\${MY_API_TOKEN}"
client:
  id: "\${THREDD_CLIENT_ID}"
  authMethod: private_key_jwt
  secret: "\${THREDD_CLIENT_SECRET}"
  scopes: ["payments", "\${MY_API_TOKEN}"]
signing:
  certificate: certs/signing.pem
  privateKey: certs/signing.key
  passphrase: "\${SIGNING_KEY_PASSPHRASE}"
  algorithm: PS256
transport:
  privateKey: certs/transport.p12
  passphrase: "\${TRANSPORT_KEY_PASSPHRASE}"
probe:
  path: "/core/api/v1/products?token=\${MY_API_TOKEN}"
`;

const SECRET_CLIENT_CONFIG = `environment: uat
connectivity: tls
region: 0
organisationId: "\${THREDD_ORG_ID}"
client:
  id: "\${THREDD_CLIENT_ID}"
  authMethod: client_secret_basic
  secret: "\${THREDD_CLIENT_SECRET}"
probe:
  path: "/core/api/v1/\${MY_API_TOKEN}"
`;

let root: string;
let counter = 0;
let files: Record<string, string | Buffer>;
let plainSigningKeyPem: string;
let needles: Array<{ what: string; value: string }>;

function encodings(what: string, value: string): Array<{ what: string; value: string }> {
  const base64 = Buffer.from(value, 'utf8').toString('base64');
  return [
    { what, value },
    { what: `${what} (base64)`, value: base64 },
    { what: `${what} (base64, unpadded)`, value: base64.replace(/=+$/, '') },
    { what: `${what} (base64url)`, value: Buffer.from(value, 'utf8').toString('base64url') },
  ];
}

function keyLines(what: string, pem: string): Array<{ what: string; value: string }> {
  const lines = pem.split('\n').filter((line) => line.length >= 16 && !line.startsWith('-----'));
  return [
    ...lines.map((line, index) => ({ what: `${what} line ${index + 1}`, value: line })),
    { what: `${what} body`, value: pemBody(pem).slice(0, 64) },
  ];
}

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build before these tests`);
  root = await mkdtemp(path.join(tmpdir(), 'golive-canary-'));
  const subject = 'CN=acme-client, O=Example Ltd, C=GB';
  const signing = await issue({ subject, key: { kind: 'rsa', bits: 2048 } });
  const transport = await issue({ subject, key: { kind: 'rsa', bits: 2048 }, extKeyUsage: ['clientAuth'] });
  const plainTransport = await issue({ subject, key: { kind: 'ec' }, extKeyUsage: ['clientAuth'] });
  plainSigningKeyPem = signing.keyPem;
  const encryptedSigningKey = signing.privateKey.export({
    type: 'pkcs8',
    format: 'pem',
    cipher: 'aes-256-cbc',
    passphrase: CANARY.passphrase,
  }) as string;
  files = {
    'certs/signing.pem': signing.certPem,
    'certs/signing.key': encryptedSigningKey,
    'certs/signing-plain.key': signing.keyPem,
    'certs/transport.p12': pkcs12Of(transport, CANARY.bundlePassphrase),
    'certs/transport-plain.pem': plainTransport.certPem,
    'certs/transport-plain.key': plainTransport.keyPem,
  };
  needles = [
    ...Object.entries(CANARY).flatMap(([name, value]) => encodings(name, value)),
    ...keyLines('signing private key (PKCS#8)', signing.keyPem),
    ...keyLines('signing private key (encrypted)', encryptedSigningKey),
    ...keyLines('transport private key (PKCS#8)', transport.keyPem),
    ...keyLines('plain transport private key (PKCS#8)', plainTransport.keyPem),
  ];
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

async function caseDir(configs: Record<string, string>): Promise<string> {
  const dir = path.join(root, `case-${++counter}`);
  for (const [name, content] of Object.entries({ ...files, ...configs })) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
    await chmod(path.join(dir, name), 0o600);
  }
  return dir;
}

/** Every file below `dir/<folder>` (the artifacts), by name. */
async function artifacts(dir: string, folder = 'out'): Promise<Record<string, string>> {
  const out = path.join(dir, folder);
  if (!existsSync(out)) return {};
  const names = await readdir(out, { recursive: true });
  const result: Record<string, string> = {};
  for (const name of names) {
    const file = path.join(out, name);
    try {
      result[`${folder}/${name}`] = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EISDIR') throw error;
    }
  }
  return result;
}

function leaks(outputs: Record<string, string>): string[] {
  const found: string[] = [];
  for (const [where, text] of Object.entries(outputs)) {
    for (const needle of needles) if (text.includes(needle.value)) found.push(`${needle.what} in ${where}`);
  }
  return found;
}

/** Runs the CLI and asserts no canary in stdout, stderr or any artifact; returns the result. */
async function expectNoCanary(args: readonly string[], dir: string, env: Record<string, string>, folder = 'out'): Promise<CliResult> {
  const result = await golive(args, dir, env);
  const outputs = { stdout: result.stdout, stderr: result.stderr, ...(await artifacts(dir, folder)) };
  expect(leaks(outputs), `golive ${args.join(' ')}`).toEqual([]);
  expect(result.code, `golive ${args.join(' ')}: ${result.stderr}`).not.toBe(3);
  return result;
}

function statusOf(result: CliResult, id: string, run = 0): string | undefined {
  const report = JSON.parse(result.stdout) as Report;
  return report.runs[run]!.checks.find((check) => check.id === id)?.status;
}

function checkOf(result: CliResult, id: string, run = 0) {
  const report = JSON.parse(result.stdout) as Report;
  return report.runs[run]!.checks.find((check) => check.id === id)!;
}

describe.concurrent('redaction canary: successful offline checks', () => {
  it('the full config loads every secret (the canary is not vacuous)', async () => {
    const dir = await caseDir({ 'golive.yaml': FULL_CONFIG });
    const result = await expectNoCanary(['check', '--offline', '--format', 'json'], dir, SECRET_ENV);
    expect(statusOf(result, 'signing.key')).toBe('pass');
    expect(checkOf(result, 'signing.key').evidence).toMatchObject({ format: 'encrypted-pkcs8-pem' });
    expect(statusOf(result, 'transport.key')).toBe('pass');
    expect(checkOf(result, 'transport.key').evidence).toMatchObject({ format: 'pkcs12' });
    expect(statusOf(result, 'signing.keypair')).toBe('pass');
    expect(statusOf(result, 'transport.keypair')).toBe('pass');
    expect(statusOf(result, 'config.consistency')).toBe('warn');
    expect(result.code).toBe(0);
  });

  it.each(FORMATS)('--format %s --debug, secrets from the environment', async (format) => {
    const dir = await caseDir({ 'golive.yaml': FULL_CONFIG, 'secret.yaml': SECRET_CLIENT_CONFIG });
    const result = await expectNoCanary(['check', '--offline', '--debug', '--format', format, 'golive.yaml', 'secret.yaml'], dir, SECRET_ENV);
    expect(result.code).toBe(0);
  });

  it.each(FORMATS)('--format %s with artifacts, secrets from --env-file', async (format) => {
    const dir = await caseDir({ 'golive.yaml': FULL_CONFIG, 'secret.yaml': SECRET_CLIENT_CONFIG });
    const envFile = Object.entries(SECRET_ENV)
      .map(([name, value], index) => (index % 2 === 0 ? `${name}=${value}` : `export ${name}="${value}"`))
      .join('\n');
    await writeFile(path.join(dir, '.env'), `${envFile}\n`, { mode: 0o600 });
    const args = ['check', '--offline', '--debug', '--env-file', '.env', '--format', format];
    const artifactArgs = ['--json', 'out/report.json', '--junit', 'out/junit.xml', '--markdown', 'out/summary.md', '--html', 'out/report.html'];
    const result = await expectNoCanary([...args, ...artifactArgs, 'golive.yaml', 'secret.yaml'], dir, {});
    expect(result.code).toBe(0);
    expect(Object.keys(await artifacts(dir)).sort()).toEqual(['out/junit.xml', 'out/report.html', 'out/report.json', 'out/summary.md']);
  });

  it('without --offline (online checks run against a closed loopback port) and with --strict', async () => {
    const endpoints = 'endpoints:\n  token: https://127.0.0.1:9/oauth2/token\n  jwks: http://127.0.0.1:9/\${MY_API_TOKEN}/jwks.json\n  api: https://127.0.0.1:9\n';
    const dir = await caseDir({ 'golive.yaml': `${FULL_CONFIG}${endpoints}` });
    const args = ['check', '--timeout', '2000', '--strict', '--debug', '--json', 'out/report.json', '--junit', 'out/junit.xml', '--markdown', 'out/summary.md'];
    const result = await expectNoCanary(args, dir, SECRET_ENV);
    expect(result.code).toBe(1);
  });

  it('a plain key and an EC transport key, every format through artifacts', async () => {
    const config = FULL_CONFIG.replace('certs/signing.key', 'certs/signing-plain.key')
      .replace(/transport:[\s\S]*?probe:/, 'transport:\n  certificate: certs/transport-plain.pem\n  privateKey: certs/transport-plain.key\nprobe:');
    const dir = await caseDir({ 'golive.yaml': config });
    const result = await expectNoCanary(
      ['check', '--offline', '--format', 'json', '--json', 'out/r.json', '--junit', 'out/r.xml', '--markdown', 'out/r.md'],
      dir,
      SECRET_ENV,
    );
    expect(statusOf(result, 'signing.key')).toBe('pass');
    expect(statusOf(result, 'transport.keypair')).toBe('pass');
  });
});

describe.concurrent('redaction canary: error paths', () => {
  const cases: Array<[string, Record<string, string>, string[], Record<string, string>?]> = [
    ['a schema error (misspelt key) in a file that interpolates secrets', { 'golive.yaml': FULL_CONFIG.replace('  algorithm: PS256', '  algoritm: PS256') }, []],
    ['a schema error with a wrong type next to the secret', { 'golive.yaml': FULL_CONFIG.replace('region: 1', 'region: [1]') }, []],
    ['a misspelt secret key', { 'golive.yaml': FULL_CONFIG.replace('  secret:', '  secrett:') }, []],
    ['a YAML syntax error on the secret line', { 'golive.yaml': FULL_CONFIG.replace('  secret: "${THREDD_CLIENT_SECRET}"', '  secret: "${THREDD_CLIENT_SECRET}\n   : [') }, []],
    ['a secret variable as the region', { 'golive.yaml': FULL_CONFIG.replace('region: 1', 'region: "${MY_API_TOKEN}"') }, []],
    ['a secret variable as the token endpoint', { 'golive.yaml': `${FULL_CONFIG}endpoints:\n  token: "\${MY_API_TOKEN}"\n` }, []],
    ['the secret in an endpoint URL', { 'golive.yaml': `${FULL_CONFIG}endpoints:\n  api: "https://client:\${THREDD_CLIENT_SECRET}@uat-mtls.thredd.com/"\n` }, []],
    ['a missing variable beside set secrets', { 'golive.yaml': FULL_CONFIG }, [], { ...SECRET_ENV, THREDD_CLIENT_ID: '' }],
    ['a wrong passphrase', { 'golive.yaml': FULL_CONFIG }, [], { ...SECRET_ENV, SIGNING_KEY_PASSPHRASE: CANARY.wrongPassphrase, TRANSPORT_KEY_PASSPHRASE: CANARY.wrongPassphrase }],
    ['a missing certificate file', { 'golive.yaml': FULL_CONFIG.replace('certs/signing.pem', 'certs/nosuch.pem') }, []],
    ['a missing config file', { 'golive.yaml': FULL_CONFIG }, ['nosuch.yaml']],
    ['the private key given as the certificate', { 'golive.yaml': FULL_CONFIG.replace('certs/signing.pem', 'certs/signing-plain.key') }, []],
    ['the private key given as the config file', { 'golive.yaml': FULL_CONFIG }, ['certs/signing-plain.key']],
    ['the encrypted key given as the config file', { 'golive.yaml': FULL_CONFIG }, ['certs/signing.key']],
    ['the PKCS#12 bundle given as the config file', { 'golive.yaml': FULL_CONFIG }, ['certs/transport.p12']],
  ];

  const FIRST_FAILURE: Record<string, string> = {
    'a schema error (misspelt key) in a file that interpolates secrets': 'config.schema',
    'a schema error with a wrong type next to the secret': 'config.schema',
    'a misspelt secret key': 'config.schema',
    'a YAML syntax error on the secret line': 'config.parse',
    'a secret variable as the region': 'config.references',
    'a secret variable as the token endpoint': 'config.consistency',
    'the secret in an endpoint URL': 'config.consistency',
    'a missing variable beside set secrets': 'config.references',
    'a wrong passphrase': 'signing.key',
    'a missing certificate file': 'config.references',
    'a missing config file': 'config.parse',
    'the private key given as the certificate': 'signing.certificate',
    'the private key given as the config file': 'config.parse',
    'the encrypted key given as the config file': 'config.parse',
    'the PKCS#12 bundle given as the config file': 'config.parse',
  };

  it.each(cases)('%s', async (_name, configs, positionals, env = SECRET_ENV) => {
    const dir = await caseDir(configs);
    const results = new Map<string, CliResult>();
    for (const format of FORMATS) {
      const artifactArgs = ['--json', `out-${format}/report.json`, '--junit', `out-${format}/junit.xml`, '--markdown', `out-${format}/summary.md`, '--html', `out-${format}/report.html`];
      results.set(format, await expectNoCanary(['check', '--offline', '--debug', '--format', format, ...artifactArgs, ...positionals], dir, env, `out-${format}`));
    }
    expect(Object.keys(await artifacts(dir, 'out-json')).sort()).toEqual(['out-json/junit.xml', 'out-json/report.html', 'out-json/report.json', 'out-json/summary.md']);
    const json = results.get('json')!;
    expect(json.code).toBe(1);
    // The run got as far as the case meant: the first failing check is the one that met the secret.
    const report = JSON.parse(json.stdout) as { runs: { checks: { id: string; status: string }[] }[] };
    expect(report.runs[0]!.checks.find((check) => check.status === 'fail')?.id).toBe(FIRST_FAILURE[_name]);
  });

  it('the private key PEM pasted inline into the config', async () => {
    const inline = `  privateKey: |\n${plainSigningKeyPem.trimEnd().split('\n').map((line) => `    ${line}`).join('\n')}\n`;
    const dir = await caseDir({ 'golive.yaml': FULL_CONFIG.replace(/ {2}privateKey: certs\/signing\.key\n {2}passphrase: .*\n/, inline) });
    const result = await expectNoCanary(['check', '--offline', '--debug', '--format', 'json', '--junit', 'out/junit.xml'], dir, SECRET_ENV);
    expect(statusOf(result, 'config.references')).toBe('fail');
    await expectNoCanary(['check', '--offline', '--format', 'plain', '--markdown', 'out/summary.md'], dir, SECRET_ENV);
  });

  it('the private key PEM pasted under a misspelt key', async () => {
    const inline = `  privatekey: |\n${plainSigningKeyPem.trimEnd().split('\n').map((line) => `    ${line}`).join('\n')}\n`;
    const dir = await caseDir({ 'golive.yaml': FULL_CONFIG.replace(/ {2}privateKey: certs\/signing\.key\n/, inline) });
    for (const format of FORMATS) await expectNoCanary(['check', '--offline', '--debug', '--format', format], dir, SECRET_ENV);
  });

  it('the private key base64 body pasted as signing.privateKey, without BEGIN/END lines', async () => {
    const body = plainSigningKeyPem.replace(/-----[A-Z ]+-----|\s/g, '');
    const dir = await caseDir({ 'golive.yaml': FULL_CONFIG.replace('privateKey: certs/signing.key', `privateKey: ${body}`) });
    for (const format of FORMATS) {
      const result = await expectNoCanary(['check', '--offline', '--debug', '--format', format, '--json', 'out/r.json'], dir, SECRET_ENV);
      if (format === 'json') expect(statusOf(result, 'config.references')).toBe('fail');
    }
  });

  it('an unwritable artifact with --debug', async () => {
    const dir = await caseDir({ 'golive.yaml': FULL_CONFIG });
    await mkdir(path.join(dir, 'report.json'));
    const result = await golive(['check', '--offline', '--debug', '--json', 'report.json'], dir, SECRET_ENV);
    expect(result.code).toBe(2);
    expect(leaks({ stdout: result.stdout, stderr: result.stderr })).toEqual([]);
  });

  it('usage errors echo no secret', async () => {
    const dir = await caseDir({ 'golive.yaml': FULL_CONFIG });
    for (const args of [
      ['check', '--format', CANARY.apiToken],
      ['check', '--timeout', CANARY.clientSecret],
      ['check', '--only', CANARY.passphrase],
    ]) {
      const result = await golive(args, dir, SECRET_ENV);
      expect(result.code).toBe(2);
      // The value came from the command line, not from a variable: echoing it is allowed;
      // but nothing else from the environment may appear.
      const others = needles.filter((needle) => !args.some((arg) => arg.includes(needle.value) || needle.value.includes(arg)));
      expect(others.filter((needle) => result.stderr.includes(needle.value))).toEqual([]);
    }
  });
});
