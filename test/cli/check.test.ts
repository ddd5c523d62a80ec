import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import ajvDraft04 from 'ajv-draft-04';
import type { Log as SarifLog } from 'sarif';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import reportSchema from '../../schemas/report.schema.json' with { type: 'json' };
import { CHECK_IDS } from '../../checks/index.js';
import configSchema from '../../checks/config.schema.js';
import type { Report } from '../../src/report/types.js';
import { daysFromNow, issue, pemBody } from '../support/credentials.js';
import { findAll, parseXml } from '../support/xml.js';
import { expectFindingFields } from '../support/report-invariants.js';
import { BASE_ENV, CLI, golive, type CliResult } from '../support/cli.js';

// End-to-end: the real built binary, spawned with a controlled environment
// (no TTY, no CI, NO_COLOR), in temporary folders.





const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;
const ANSI = /\u001b\[/;

const CLIENT_ENV = { THREDD_ORG_ID: 'org-1234', THREDD_CLIENT_ID: '6f1c7a52-3b8e-4f5e-9d3a-2b7c1e0f4a11' };

const MTLS_CONFIG = `profile: thredd
environment: uat
connectivity: mtls
region: 1
organisationId: "\${THREDD_ORG_ID}"
client:
  id: "\${THREDD_CLIENT_ID}"
  authMethod: private_key_jwt
signing:
  certificate: certs/signing.pem
  privateKey: certs/signing.key
  algorithm: PS256
transport:
  certificate: certs/transport.pem
  privateKey: certs/transport.key
`;

const ONLINE_IDS = CHECK_IDS.filter((id) => !/^(config|signing|transport)\./.test(id));
const OFFLINE_IDS = CHECK_IDS.filter((id) => /^(config|signing|transport)\./.test(id));

let root: string;
let credentials: Record<string, string>;
let expiredSigningPem: string;
let counter = 0;
const validateReport = new Ajv({ allErrors: true }).compile(reportSchema);

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build before these tests`);
  root = await mkdtemp(path.join(tmpdir(), 'golive-cli-'));
  const signing = await issue({ key: { kind: 'rsa', bits: 2048 } });
  const transport = await issue({ key: { kind: 'ec' }, extKeyUsage: ['clientAuth'] });
  const expired = await issue({ keys: signing.keys, notBefore: daysFromNow(-400), notAfter: daysFromNow(-35) });
  credentials = {
    'certs/signing.pem': signing.certPem,
    'certs/signing.key': signing.keyPem,
    'certs/transport.pem': transport.certPem,
    'certs/transport.key': transport.keyPem,
  };
  expiredSigningPem = expired.certPem;
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

/** A fresh folder with the credentials and a config; returns the folder. */
async function caseDir(config = MTLS_CONFIG, options: { name?: string; files?: Record<string, string> } = {}): Promise<string> {
  const dir = path.join(root, `case-${++counter}`);
  for (const [name, content] of Object.entries({ ...credentials, ...options.files })) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content, { mode: 0o600 });
    await chmod(path.join(dir, name), 0o600);
  }
  await writeFile(path.join(dir, options.name ?? 'golive.yaml'), config);
  return dir;
}

function parseReport(text: string): Report {
  const report = JSON.parse(text) as Report;
  const valid = validateReport(report);
  expect(validateReport.errors ?? []).toEqual([]);
  expect(valid).toBe(true);
  expectFindingFields(report);
  return report;
}

function checkOf(report: Report, id: string, run = 0) {
  const found = report.runs[run]!.checks.find((check) => check.id === id);
  if (!found) throw new Error(`no ${id} in the report`);
  return found;
}

function expectNoStack(result: CliResult): void {
  expect(result.stderr).not.toMatch(STACK_FRAME);
  expect(result.stdout).not.toMatch(STACK_FRAME);
}

describe.concurrent('golive check --offline on a valid private_key_jwt + mTLS config', () => {
  it('exits 0 with a plain, ready report and nothing on stderr', async () => {
    const dir = await caseDir();
    const result = await golive(['check', '--offline'], dir, CLIENT_ENV);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(ANSI);
    expect(result.stdout).not.toMatch(/not ready/i);
    for (const id of OFFLINE_IDS) expect(result.stdout).toMatch(new RegExp(`PASS\\s+${id.replace('.', '\\.')}\\s`));
  });

  it('--format json prints a report valid against schemas/report.schema.json, every id in table order', async () => {
    const dir = await caseDir();
    const result = await golive(['check', '--offline', '--format', 'json'], dir, CLIENT_ENV);
    expect(result.code).toBe(0);
    const report = parseReport(result.stdout);
    expect(report.status).toBe('pass');
    expect(report.runs).toHaveLength(1);
    expect(report.runs[0]!.config).toMatchObject({ path: 'golive.yaml', environment: 'uat', connectivity: 'mtls', region: 1 });
    expect(report.runs[0]!.checks.map((check) => check.id)).toEqual([...CHECK_IDS]);
    for (const id of OFFLINE_IDS) expect(checkOf(report, id).status).toBe('pass');
    for (const id of ONLINE_IDS) expect(checkOf(report, id).status).toBe('skip');
  });

  it('--format junit prints well-formed XML with a testsuite of one testcase per registered check', async () => {
    const dir = await caseDir();
    const result = await golive(['check', '--offline', '--format', 'junit'], dir, CLIENT_ENV);
    expect(result.code).toBe(0);
    const document = parseXml(result.stdout);
    const suites = document.name === 'testsuite' ? [document] : findAll(document, 'testsuite');
    expect(suites).toHaveLength(1);
    const cases = findAll(suites[0]!, 'testcase');
    expect(cases.map((testcase) => testcase.attributes.name)).toEqual([...CHECK_IDS]);
    expect(findAll(document, 'failure')).toHaveLength(0);
  });

  it.each([
    ['plain', (out: string) => expect(out).toMatch(/^\s+PASS\s+config\.parse/m)],
    ['pretty', (out: string) => expect(out).toMatch(/config\.parse/)],
    [
      'markdown',
      (out: string) => {
        expect(out).toMatch(/^\| .* \|$/m);
        expect(out).toMatch(/^#+ /m);
      },
    ],
    ['github', (out: string) => expect(out).toMatch(/^golive: 10 passed/m)],
  ])('--format %s prints its format, without ANSI escapes when not a TTY', async (format, expectShape) => {
    const dir = await caseDir();
    const result = await golive(['check', '--offline', '--format', format], dir, CLIENT_ENV);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).not.toMatch(ANSI);
    expect(() => JSON.parse(result.stdout)).toThrow();
    expectShape(result.stdout);
  });

  it('github format emits a ::warning annotation for a warning', async () => {
    const dir = await caseDir();
    await chmod(path.join(dir, 'certs/signing.key'), 0o644);
    const result = await golive(['check', '--offline', '--format', 'github'], dir, CLIENT_ENV);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^::warning file=golive\.yaml,line=\d+,col=\d+,title=config\.references::/m);
  });

  it('writes --json, --junit and --markdown artifacts whole, leaving no temporary files', async () => {
    const dir = await caseDir();
    const result = await golive(
      ['check', '--offline', '--json', 'out/report.json', '--junit', 'out/junit.xml', '--markdown', 'out/summary.md'],
      dir,
      CLIENT_ENV,
    );
    expect(result.code).toBe(0);
    expect((await readdir(path.join(dir, 'out'))).sort()).toEqual(['junit.xml', 'report.json', 'summary.md']);
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    const report = parseReport(await readFile(path.join(dir, 'out/report.json'), 'utf8'));
    expect(report.runs[0]!.checks).toHaveLength(CHECK_IDS.length);
    expect(findAll(parseXml(await readFile(path.join(dir, 'out/junit.xml'), 'utf8')), 'testcase')).toHaveLength(CHECK_IDS.length);
    expect(await readFile(path.join(dir, 'out/summary.md'), 'utf8')).toContain('`config.parse`');
    // stdout still gets the default (plain) output.
    expect(result.stdout).toMatch(/^\s+PASS\s+config\.parse/m);
  });

  it('overwrites an existing artifact', async () => {
    const dir = await caseDir();
    await writeFile(path.join(dir, 'report.json'), 'stale');
    const result = await golive(['check', '--offline', '--json', 'report.json'], dir, CLIENT_ENV);
    expect(result.code).toBe(0);
    parseReport(await readFile(path.join(dir, 'report.json'), 'utf8'));
  });
});

describe.concurrent('warnings and --strict', () => {
  it('a private key readable by others warns: exit 0, and exit 1 with --strict', async () => {
    const dir = await caseDir();
    await chmod(path.join(dir, 'certs/signing.key'), 0o644);
    const relaxed = await golive(['check', '--offline', '--format', 'json'], dir, CLIENT_ENV);
    expect(relaxed.code).toBe(0);
    const report = parseReport(relaxed.stdout);
    expect(checkOf(report, 'config.references')).toMatchObject({ status: 'warn' });
    expect(checkOf(report, 'config.references').message).toContain('0644');
    expect(report.status).toBe('pass');

    const strict = await golive(['check', '--offline', '--strict', '--format', 'json'], dir, CLIENT_ENV);
    expect(strict.code).toBe(1);
    const strictReport = parseReport(strict.stdout);
    expect(strictReport.status).toBe('fail');
    expect(strictReport.strict).toBe(true);
  });

  it('the chmod hint names the key by the path that works from the folder golive runs in, not the config\'s', async () => {
    const dir = await caseDir();
    await chmod(path.join(dir, 'certs/signing.key'), 0o644);
    const config = path.join(path.basename(dir), 'golive.yaml');
    const result = await golive(['check', '--offline', '--strict', config], root, CLIENT_ENV);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`signing.privateKey (certs/signing.key, mode 0644)`);
    expect(result.stdout).toContain(`hint: Restrict it to the owner: chmod 600 ${path.join(path.basename(dir), 'certs', 'signing.key')}\n`);
  });
});

describe.concurrent('failing configs exit 1 with the right check failing', () => {
  it('an expired signing certificate fails signing.certificate', async () => {
    const dir = await caseDir(MTLS_CONFIG, { files: { 'certs/signing.pem': expiredSigningPem } });
    const result = await golive(['check', '--offline', '--format', 'json'], dir, CLIENT_ENV);
    expect(result.code).toBe(1);
    const report = parseReport(result.stdout);
    expect(report.status).toBe('fail');
    const failed = report.runs[0]!.checks.filter((check) => check.status === 'fail').map((check) => check.id);
    expect(failed).toEqual(['signing.certificate']);
    expect(checkOf(report, 'signing.certificate').message).toMatch(/expired/);
    expect(checkOf(report, 'signing.keypair')).toMatchObject({ status: 'skip' });
  });

  it('a missing variable fails config.references, naming it', async () => {
    const dir = await caseDir();
    const result = await golive(['check', '--offline', '--format', 'json'], dir, { THREDD_ORG_ID: 'org-1234' });
    expect(result.code).toBe(1);
    const check = checkOf(parseReport(result.stdout), 'config.references');
    expect(check.status).toBe('fail');
    expect(check.message).toContain('THREDD_CLIENT_ID');
    expect(check.evidence).toMatchObject({ missingVariables: ['THREDD_CLIENT_ID'] });
  });

  it('a misspelt key fails config.schema with a suggestion and its line', async () => {
    const dir = await caseDir(MTLS_CONFIG.replace('  algorithm: PS256', '  algoritm: PS256'));
    const result = await golive(['check', '--offline', '--format', 'json'], dir, CLIENT_ENV);
    expect(result.code).toBe(1);
    const check = checkOf(parseReport(result.stdout), 'config.schema');
    expect(check.status).toBe('fail');
    expect(check.message).toContain('algoritm');
    expect(check.message).toContain('algorithm');
    expect(check.message).toContain(':12:');
  });

  it('a YAML syntax error fails config.parse with line and column', async () => {
    const dir = await caseDir('environment: uat\nclient:\n  id: "x\n  authMethod: private_key_jwt\n');
    const result = await golive(['check', '--offline', '--format', 'json'], dir, CLIENT_ENV);
    expect(result.code).toBe(1);
    const check = checkOf(parseReport(result.stdout), 'config.parse');
    expect(check.status).toBe('fail');
    expect(check.evidence).toHaveProperty('location.line');
  });

  it('a private key given as the config fails config.parse saying what it is, never printing it', async () => {
    const dir = await caseDir();
    const result = await golive(['check', '--offline', 'certs/signing.key'], dir, CLIENT_ENV);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('signing.key is a private key (PEM), not a golive config.');
    expect(result.stdout).toContain('hint: Run golive on the YAML or JSON config that names this key, under signing.privateKey');
    expect(result.stdout).not.toContain('the config must be a mapping');
    const body = pemBody(credentials['certs/signing.key']!);
    for (let at = 0; at + 16 <= body.length; at += 16) expect(result.stdout + result.stderr).not.toContain(body.slice(at, at + 16));
  });

  it('a YAML complex key prints no Node warning on stderr', async () => {
    const dir = await caseDir(`${MTLS_CONFIG}? [a, b]\n: c\n`);
    const result = await golive(['check', '--offline', '--format', 'json'], dir, CLIENT_ENV);
    expect(result.stderr).toBe('');
    expect(checkOf(parseReport(result.stdout), 'config.schema').status).toBe('fail');
  });

  it('a missing config file is a config.parse failure (exit 1), not a crash', async () => {
    const dir = await caseDir();
    const result = await golive(['check', '--offline', 'nosuch.yaml', '--format', 'json'], dir, CLIENT_ENV);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('');
    const report = parseReport(result.stdout);
    expect(checkOf(report, 'config.parse')).toMatchObject({ status: 'fail', evidence: { problem: 'not-found' } });
    expect(report.runs[0]!.checks.map((check) => check.id)).toEqual([...CHECK_IDS]);
    expect(report.runs[0]!.config.path).toBe('nosuch.yaml');
  });

  it('a folder given as the config is a config.parse failure', async () => {
    const dir = await caseDir();
    const result = await golive(['check', '--offline', 'certs', '--format', 'json'], dir, CLIENT_ENV);
    expect(result.code).toBe(1);
    expect(checkOf(parseReport(result.stdout), 'config.parse')).toMatchObject({ status: 'fail', evidence: { problem: 'is-directory' } });
  });

  it('an mTLS config without a transport section fails config.consistency', async () => {
    const dir = await caseDir(MTLS_CONFIG.replace(/transport:[\s\S]*$/, ''));
    const result = await golive(['check', '--offline', '--format', 'json'], dir, CLIENT_ENV);
    expect(result.code).toBe(1);
    const report = parseReport(result.stdout);
    expect(checkOf(report, 'config.consistency').status).toBe('fail');
  });
});

describe.concurrent('--only and --skip', () => {
  it('--only signing runs the signing checks and what they need; the rest are skipped as not selected', async () => {
    const dir = await caseDir();
    const result = await golive(['check', '--offline', '--only', 'signing', '--format', 'json'], dir, CLIENT_ENV);
    expect(result.code).toBe(0);
    const report = parseReport(result.stdout);
    expect(report.runs[0]!.checks.map((check) => check.id)).toEqual([...CHECK_IDS]);
    for (const id of ['config.parse', 'config.schema', 'config.references', 'signing.key', 'signing.certificate', 'signing.keypair']) {
      expect(checkOf(report, id).status, id).toBe('pass');
    }
    for (const id of ['config.consistency', 'transport.key', 'transport.certificate', 'transport.keypair']) {
      expect(checkOf(report, id), id).toMatchObject({ status: 'skip' });
      expect(checkOf(report, id).message, id).toMatch(/not selected by --only signing/);
    }
  });

  it('--only takes a comma list of ids and prefixes', async () => {
    const dir = await caseDir();
    const result = await golive(['check', '--offline', '--only', 'signing.certificate,transport', '--format', 'json'], dir, CLIENT_ENV);
    expect(result.code).toBe(0);
    const report = parseReport(result.stdout);
    expect(checkOf(report, 'signing.certificate').status).toBe('pass');
    expect(checkOf(report, 'signing.key').status).toBe('skip');
    expect(checkOf(report, 'signing.keypair').status).toBe('skip');
    expect(checkOf(report, 'transport.keypair').status).toBe('pass');
  });

  it('a whole id selects that check only: --only signing.key does not run signing.keypair', async () => {
    const dir = await caseDir();
    const report = parseReport((await golive(['check', '--offline', '--only', 'signing.key', '--format', 'json'], dir, CLIENT_ENV)).stdout);
    expect(checkOf(report, 'signing.key').status).toBe('pass');
    for (const id of ['signing.keypair', 'signing.certificate']) expect(checkOf(report, id).message, id).toMatch(/not selected by --only/);
    const skipped = parseReport((await golive(['check', '--offline', '--skip', 'transport.key', '--format', 'json'], dir, CLIENT_ENV)).stdout);
    expect(checkOf(skipped, 'transport.key').message).toBe('skipped by --skip');
    expect(checkOf(skipped, 'transport.key')).toMatchObject({ skipReason: 'not-selected' });
    expect(checkOf(skipped, 'transport.keypair')).toMatchObject({ skipReason: 'not-selected', message: 'needs transport.key, which was skipped by --skip' });
  });

  it('--skip transport skips the transport checks and runs the rest', async () => {
    const dir = await caseDir();
    const result = await golive(['check', '--offline', '--skip', 'transport', '--format', 'json'], dir, CLIENT_ENV);
    expect(result.code).toBe(0);
    const report = parseReport(result.stdout);
    for (const id of ['transport.key', 'transport.certificate', 'transport.keypair']) {
      expect(checkOf(report, id).status, id).toBe('skip');
    }
    expect(checkOf(report, 'transport.key').message).toBe('skipped by --skip');
    for (const id of ['config.consistency', 'signing.key', 'signing.certificate', 'signing.keypair']) {
      expect(checkOf(report, id).status, id).toBe('pass');
    }
  });

  it('--skip does not hide a failure elsewhere', async () => {
    const dir = await caseDir(MTLS_CONFIG, { files: { 'certs/signing.pem': expiredSigningPem } });
    const result = await golive(['check', '--offline', '--skip', 'transport', '--format', 'json'], dir, CLIENT_ENV);
    expect(result.code).toBe(1);
    expect(checkOf(parseReport(result.stdout), 'signing.certificate').status).toBe('fail');
  });

  it('--skip signing.certificate hides an expired certificate (the user asked), and skips the keypair that needs it', async () => {
    const dir = await caseDir(MTLS_CONFIG, { files: { 'certs/signing.pem': expiredSigningPem } });
    const result = await golive(['check', '--offline', '--skip', 'signing.certificate', '--format', 'json'], dir, CLIENT_ENV);
    expect(result.code).toBe(0);
    const report = parseReport(result.stdout);
    expect(checkOf(report, 'signing.keypair')).toMatchObject({ status: 'skip' });
    expect(checkOf(report, 'signing.keypair').message).toContain('signing.certificate');
  });
});

describe.concurrent('configs, variables and files', () => {
  it('checks several configs in one run: one entry in runs each, in argument order', async () => {
    const dir = await caseDir();
    await writeFile(path.join(dir, 'second.yaml'), MTLS_CONFIG.replace('region: 1', 'region: 2'));
    const result = await golive(['check', '--offline', 'golive.yaml', 'second.yaml', 'nosuch.yaml', '--format', 'json'], dir, CLIENT_ENV);
    expect(result.code).toBe(1);
    const report = parseReport(result.stdout);
    expect(report.runs.map((run) => run.config.path)).toEqual(['golive.yaml', 'second.yaml', 'nosuch.yaml']);
    expect(report.runs.map((run) => run.status)).toEqual(['pass', 'pass', 'fail']);
    expect(report.runs[1]!.config.region).toBe(2);
    for (const run of report.runs) expect(run.checks.map((check) => check.id)).toEqual([...CHECK_IDS]);
    expect(report.summary.fail).toBe(1);
  });

  it('reads ./golive.yaml from the working folder by default', async () => {
    const dir = await caseDir(MTLS_CONFIG.replace('region: 1', 'region: 2'));
    const result = await golive(['check', '--offline', '--format', 'json'], dir, CLIENT_ENV);
    expect(result.code).toBe(0);
    expect(parseReport(result.stdout).runs[0]!.config).toMatchObject({ path: 'golive.yaml', region: 2 });
  });

  it('resolves relative paths against the config folder, not the working folder', async () => {
    const dir = await caseDir();
    const result = await golive(['check', '--offline', path.join(dir, 'golive.yaml')], root, CLIENT_ENV);
    expect(result.code).toBe(0);
  });

  it('reads a JSON config', async () => {
    const json = JSON.stringify({
      environment: 'uat',
      connectivity: 'tls',
      region: 0,
      organisationId: '${THREDD_ORG_ID}',
      client: { id: '${THREDD_CLIENT_ID}', authMethod: 'private_key_jwt' },
      signing: { certificate: 'certs/signing.pem', privateKey: 'certs/signing.key', algorithm: 'PS256' },
    });
    const dir = await caseDir(json, { name: 'golive.json' });
    const result = await golive(['check', '--offline', 'golive.json', '--format', 'json'], dir, CLIENT_ENV);
    expect(result.code).toBe(0);
    const report = parseReport(result.stdout);
    expect(checkOf(report, 'transport.key').message).toMatch(/^not applicable: /);
  });

  it('--env-file supplies variables (and the environment need not)', async () => {
    const dir = await caseDir();
    await writeFile(path.join(dir, 'vars.env'), '# variables\nTHREDD_ORG_ID=org-1234\nexport THREDD_CLIENT_ID="6f1c7a52-3b8e-4f5e-9d3a-2b7c1e0f4a11"\n');
    const result = await golive(['check', '--offline', '--env-file', 'vars.env', '--format', 'json'], dir);
    expect(result.code).toBe(0);
    expect(parseReport(result.stdout).runs[0]!.config).toMatchObject({ organisationId: 'org-1234' });
  });

  it('--env-file wins over the environment', async () => {
    const dir = await caseDir();
    await writeFile(path.join(dir, 'vars.env'), 'THREDD_ORG_ID=from-file\n');
    const result = await golive(['check', '--offline', '--env-file', 'vars.env', '--format', 'json'], dir, CLIENT_ENV);
    expect(result.code).toBe(0);
    expect(parseReport(result.stdout).runs[0]!.config.organisationId).toBe('from-file');
  });
});

/** Endpoints on a closed loopback port: an online check can run, but never reaches anything (no internet in tests). */
const CLOSED_ENDPOINTS = `endpoints:
  token: https://127.0.0.1:9/oauth2/token
  jwks: http://127.0.0.1:9/jwks.json
  api: https://127.0.0.1:9
`;

describe.concurrent('online checks without --offline', () => {
  it('fail against a closed port, naming the layer, and the rest name the need that stopped them', async () => {
    const dir = await caseDir(`${MTLS_CONFIG}${CLOSED_ENDPOINTS}`);
    const result = await golive(['check', '--format', 'json', '--timeout', '2000'], dir, CLIENT_ENV);
    expect(result.code, result.stderr).toBe(1);
    const report = parseReport(result.stdout);
    for (const id of OFFLINE_IDS) expect(checkOf(report, id).status, id).toBe('pass');
    const online = Object.fromEntries(ONLINE_IDS.map((id) => [id, `${checkOf(report, id).status}: ${checkOf(report, id).message}`]));
    expect(online).toEqual({
      'jwks.fetch': expect.stringMatching(/^fail: TCP: JWKS host 127\.0\.0\.1:9: the connection was refused/),
      'jwks.signing-key': 'skip: needs jwks.fetch, which failed',
      'jwks.transport-key': 'skip: needs jwks.fetch, which failed',
      'network.token-endpoint': expect.stringMatching(/^fail: TCP: token host 127\.0\.0\.1:9: the connection was refused/),
      'network.api-endpoint': expect.stringMatching(/^fail: TCP: API host 127\.0\.0\.1:9: the connection was refused/),
      'clock.skew': 'skip: needs network.token-endpoint, which failed',
      'token.request': 'skip: needs network.token-endpoint, which failed',
      'token.response': 'skip: needs token.request, which could not run: network.token-endpoint failed',
      // A need that failed itself comes before one skipped because of another.
      'probe.call': 'skip: needs network.api-endpoint, which failed',
    });
    for (const id of ['clock.skew', 'token.request', 'token.response', 'probe.call']) expect(checkOf(report, id).skipReason, id).toBe('need-failed');
    expect(checkOf(report, 'network.token-endpoint').message).toMatch(/^TCP: token host 127\.0\.0\.1:9: the connection was refused/);
    expect(checkOf(report, 'jwks.fetch')).toMatchObject({ status: 'fail', evidence: { code: 'ECONNREFUSED' } });
  });

  it('with --offline they say --offline', async () => {
    const dir = await caseDir();
    const report = parseReport((await golive(['check', '--offline', '--format', 'json'], dir, CLIENT_ENV)).stdout);
    expect(checkOf(report, 'jwks.fetch').message).toMatch(/--offline/);
    expect(checkOf(report, 'network.token-endpoint').message).toMatch(/--offline/);
  });
});

describe.concurrent('the config file is never modified', () => {
  it('by check in every format, with artifacts, --strict, --debug, --only/--skip, schema, explain and init --stdout', async () => {
    const dir = await caseDir();
    const file = path.join(dir, 'golive.yaml');
    await chmod(file, 0o640);
    const before = { bytes: await readFile(file), info: await stat(file) };
    // Each run with the exit code that proves it read the config (or, for init, refused to touch it).
    const runs: [string[], number][] = [
      ...['pretty', 'plain', 'json', 'junit', 'markdown', 'github'].map((format): [string[], number] => [['check', '--offline', '--format', format], 0]),
      [['check', '--offline', '--strict', '--debug', '--json', 'r.json', '--junit', 'r.xml', '--markdown', 'r.md'], 0],
      [['check', '--offline', '--only', 'config', '--skip', 'config.consistency'], 0],
      [['init'], 1],
      [['init', 'golive.yaml'], 1],
      [['init', '--stdout'], 0],
      [['schema', 'config'], 0],
      [['explain', 'config.parse'], 0],
    ];
    for (const [args, code] of runs) expect((await golive(args, dir, CLIENT_ENV)).code, args.join(' ')).toBe(code);
    expect((await readdir(dir)).filter((name) => name.startsWith('r.')).sort()).toEqual(['r.json', 'r.md', 'r.xml']);
    const after = { bytes: await readFile(file), info: await stat(file) };
    expect(after.bytes.equals(before.bytes)).toBe(true);
    expect(after.info.mtimeMs).toBe(before.info.mtimeMs);
    expect(after.info.mode).toBe(before.info.mode);
  });

  it('by an artifact path that names it: usage error, file untouched', async () => {
    const dir = await caseDir();
    const file = path.join(dir, 'golive.yaml');
    const before = await readFile(file);
    for (const args of [
      ['check', '--offline', '--json', 'golive.yaml'],
      ['check', '--offline', 'golive.yaml', '--junit', './golive.yaml'],
      ['check', '--offline', '--json', 'r.json', '--junit', 'r.json'],
    ]) {
      const result = await golive(args, dir, CLIENT_ENV);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/would overwrite (the config golive\.yaml, an input of this run|the --json report); name another file/);
    }
    expect((await readFile(file)).equals(before)).toBe(true);
  });
});

describe.concurrent('usage errors in check', () => {
  it.each([
    [['check', '--bogus'], /--bogus/],
    [['check', '--format', 'xml'], /--format must be one of pretty, plain, json, junit, markdown, github; got xml/],
    [['check', '--timeout', '0'], /--timeout/],
    [['check', '--timeout', 'soon'], /--timeout/],
    [['check', '--timeout', '1.5'], /--timeout/],
    [['check', '--only', 'nosuch'], /--only nosuch names no check/],
    [['check', '--skip', 'nosuch'], /--skip nosuch names no check/],
    [['check', '--only'], /--only/],
  ])('golive %j exits 2 with a one-line reason and a help pointer, no stack', async (args, reason) => {
    const dir = await caseDir();
    const result = await golive(args, dir, CLIENT_ENV);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(reason);
    expect(result.stderr).toContain('Run "golive check --help" for usage.');
    expectNoStack(result);
  });

  it('--only with a misspelt id suggests the id', async () => {
    const result = await golive(['check', '--only', 'sigining.key'], root, CLIENT_ENV);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('did you mean signing.key?');
  });

  it('--only nosuch points at the list of ids', async () => {
    const result = await golive(['check', '--only', 'nosuch'], root, CLIENT_ENV);
    expect(result.stderr).toContain('golive explain --list');
  });

  it.each([
    [['--only', 'signng'], 'did you mean signing?'],
    [['--skip', 'transprt'], 'did you mean transport?'],
    [['--only', 'jkws'], 'did you mean jwks?'],
  ])('a misspelt prefix %j gets a suggestion', async (flags, suggestion) => {
    const result = await golive(['check', ...flags], root, CLIENT_ENV);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(suggestion);
  });

  it('an unreadable --env-file is golive\'s usage error (exit 2) through the installed bin, not Node\'s own --env-file', async () => {
    // Node 20 and 22 read --env-file even after the script name (nodejs/node#54232); the bin's
    // shebang passes `--` so the flag reaches golive.
    const result = await new Promise<CliResult>((resolve) => {
      execFile(CLI, ['check', '--offline', '--env-file', 'nosuch.env'], { cwd: root, env: { ...BASE_ENV, HOME: root } }, (error, stdout, stderr) =>
        resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
      );
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^golive: --env-file nosuch\.env cannot be read \(ENOENT\)/);
  });

  it.each([['a folder', 'out'], ['below a file', 'golive.yaml/report.json']])('an artifact path that cannot be written (%s) exits 2 after printing the report', async (_name, target) => {
    const dir = await caseDir();
    await mkdir(path.join(dir, 'out'));
    const result = await golive(['check', '--offline', '--json', target!], dir, CLIENT_ENV);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^golive: --json ${target!.replace('.', '\\.')} cannot be written \\((EISDIR|ENOTDIR): [^)]+\\); the report above is complete`));
    expect(result.stdout).toMatch(/config\.parse/);
    expectNoStack(result);
  });
});

describe.concurrent('--sarif', () => {
  const sarifSchema = createRequire(import.meta.url)('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json') as object;
  const validateSarif = new ajvDraft04.default({ strict: false, unicodeRegExp: false, validateFormats: false, logger: false }).compile(sarifSchema);

  it('writes SARIF 2.1.0 with the config finding at its line and column', async () => {
    const dir = await caseDir(MTLS_CONFIG.replace('  algorithm: PS256', '  algoritm: PS256'), { name: 'uat.yaml' });
    const result = await golive(['check', '--offline', 'uat.yaml', '--sarif', 'out/golive.sarif', '--json', 'out/report.json'], dir, CLIENT_ENV);
    expect(result.code).toBe(1);
    const log = JSON.parse(await readFile(path.join(dir, 'out/golive.sarif'), 'utf8')) as SarifLog;
    expect(validateSarif(log), JSON.stringify(validateSarif.errors)).toBe(true);
    expect((await readdir(path.join(dir, 'out'))).sort()).toEqual(['golive.sarif', 'report.json']);
    const [result0] = log.runs[0]!.results!;
    expect(result0).toMatchObject({ ruleId: 'config.schema', level: 'error' });
    expect(result0!.locations![0]!.physicalLocation).toEqual({ artifactLocation: { uri: 'uat.yaml' }, region: { startLine: 12, startColumn: 3 } });
    expect(result.stdout).toMatch(/FAIL\s+config\.schema/);
    // The rule carries `golive explain config.schema` for code scanning's help pane.
    const rule = log.runs[0]!.tool.driver.rules!.find((candidate) => candidate.id === 'config.schema')!;
    expect(rule.fullDescription?.text).toBe(configSchema.explain.verifies);
    expect(rule.help?.text).toMatch(/^config\.schema: Config matches the schema\n\nWhat it verifies/);
  });

  it('refuses a --sarif path that another artifact or an input takes', async () => {
    const dir = await caseDir();
    const clash = await golive(['check', '--offline', '--json', 'out.json', '--sarif', 'out.json'], dir, CLIENT_ENV);
    expect(clash.code).toBe(2);
    expect(clash.stderr).toMatch(/^golive: --sarif out\.json would overwrite the --json report/);
    const input = await golive(['check', '--offline', '--sarif', 'golive.yaml'], dir, CLIENT_ENV);
    expect(input.code).toBe(2);
    expect(input.stderr).toMatch(/^golive: --sarif golive\.yaml would overwrite the config golive\.yaml, an input of this run/);
  });
});

describe.concurrent('--curl', () => {
  const SECRET_CANARY = 'CANARY-secret-7f3a+/=';
  const SECRET_CONFIG = MTLS_CONFIG.replace('  authMethod: private_key_jwt\n', '  authMethod: client_secret_post\n  secret: "${THREDD_CLIENT_SECRET}"\n')
    .replace(/signing:\n(  .*\n)+/, '');

  it('prints a curl command per network step on stderr, secrets as variables; stdout stays the report', async () => {
    const dir = await caseDir(`${SECRET_CONFIG}${CLOSED_ENDPOINTS}`);
    const result = await golive(['check', '--curl', '--format', 'json', '--timeout', '1500'], dir, { ...CLIENT_ENV, THREDD_CLIENT_SECRET: SECRET_CANARY });
    expect(result.code).toBe(1);
    parseReport(result.stdout);
    const script = result.stderr;
    for (const id of ['jwks.fetch', 'network.token-endpoint', 'network.api-endpoint', 'token.request', 'probe.call']) {
      expect(script).toMatch(new RegExp(`^# \\d/5 ${id.replace('.', '\\.')} \\(`, 'm'));
    }
    expect(script).toMatch(/^# 2\/5 network\.token-endpoint \(fail\): connect to the token host over mTLS/m);
    expect(script).toMatch(/^# 4\/5 token\.request \(not run: needs network\.token-endpoint, which failed\)/m);
    expect(script).toContain('--data-urlencode "client_secret=${THREDD_CLIENT_SECRET}"');
    expect(script).toContain('--cert ./certs/transport.pem');
    expect(script).toContain('--max-time 1.5');
    expect(script).toContain("--header 'X-Region: 1'");
    expect(script).not.toContain(SECRET_CANARY);
    expect(result.stdout).not.toContain(SECRET_CANARY);
    expectNoStack(result);
  });

  it('with --only network, only the connection steps; with --offline they are marked not run', async () => {
    const dir = await caseDir(SECRET_CONFIG);
    const env = { ...CLIENT_ENV, THREDD_CLIENT_SECRET: SECRET_CANARY };
    const only = await golive(['check', '--offline', '--only', 'network', '--curl'], dir, env);
    expect(only.stderr.match(/^# \d\/\d \S+/gm)).toEqual(['# 1/2 network.token-endpoint', '# 2/2 network.api-endpoint']);
    expect(only.stderr).toMatch(/\(not run: --offline/);
    const none = await golive(['check', '--offline', '--only', 'signing', '--curl'], dir, env);
    expect(none.stderr).toMatch(/^# golive\.yaml: no network step was selected/m);
  });

  it('says why there is no command for a config that did not load', async () => {
    const dir = await caseDir(MTLS_CONFIG.replace('  algorithm: PS256', '  algoritm: PS256'));
    const result = await golive(['check', '--offline', '--curl'], dir, CLIENT_ENV);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^# golive\.yaml: no curl commands: the config did not load \(config\.schema failed\): fix it first\.$/m);
  });

  it('without --curl, nothing on stderr', async () => {
    const dir = await caseDir();
    expect((await golive(['check', '--offline'], dir, CLIENT_ENV)).stderr).toBe('');
  });
});
