import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import * as source from '../src/index.js';
import type { CheckReport, LoadConfigResult, Report, ResolvedConfig, RunChecksOptions } from '../src/index.js';
import { SIGNING_FILES, tempDir, VALID_ENV, VALID_JWT_CONFIG, writeConfig } from './support/config-files.js';
import { issue } from './support/credentials.js';
import { DIST } from './support/cli.js';

// The library API, imported both from the source and from the built
// package entry (dist/index.js, what `import 'golive'` loads).

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BUILT = path.join(DIST, 'index.js');

const dir = tempDir('golive-api-');
// The one clock of this file: the certificates below are issued around it.
const NOW = Date.now();
let signingFiles: Record<string, string>;

beforeAll(async () => {
  if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run npm run build before these tests`);
  const signing = await issue({ key: { kind: 'rsa', bits: 2048 } });
  signingFiles = { 'certs/signing.pem': signing.certPem, 'certs/signing.key': signing.keyPem };
});

function validConfig(): string {
  return writeConfig(dir, VALID_JWT_CONFIG, { files: signingFiles });
}

const entries: [string, () => Promise<typeof source>][] = [
  ['src/index.ts', async () => source],
  ['dist/index.js', async () => (await import(pathToFileURL(BUILT).href)) as typeof source],
];

describe.each(entries)('from %s', (_, load) => {
  it('exports the documented API', async () => {
    const api = await load();
    for (const name of ['runChecks', 'loadConfig', 'exitCodeFor', 'checkConfigs'] as const) expect(typeof api[name]).toBe('function');
    expect(Object.keys(api.reporters)).toEqual(expect.arrayContaining(['pretty', 'plain', 'json', 'junit', 'markdown', 'github']));
    expect(api.CHECK_IDS).toContain('config.parse');
    expect(api.DEFAULT_OPTIONS).toMatchObject({ offline: false, strict: false, only: [], skip: [] });
  });

  it('runChecks passes a valid config offline and reports every check in order', async () => {
    const { runChecks, exitCodeFor, CHECK_IDS } = await load();
    const config = validConfig();
    const events: string[] = [];
    const report = await runChecks(path.basename(config), {
      offline: true,
      env: VALID_ENV,
      cwd: path.dirname(config),
      now: () => NOW,
      onEvent: (index, event) => events.push(`${index}:${event.type}`),
    });
    expect(report.status, JSON.stringify(report.runs[0]?.checks.filter((check) => check.status === 'fail'))).toBe('pass');
    expect(exitCodeFor(report)).toBe(0);
    expect(report.startedAt).toBe(new Date(NOW).toISOString());
    expect(report.runs).toHaveLength(1);
    expect(report.runs[0]!.config.path).toBe('golive.yaml');
    expect(report.runs[0]!.checks.map((check) => check.id)).toEqual([...CHECK_IDS]);
    const byId = Object.fromEntries(report.runs[0]!.checks.map((check) => [check.id, check]));
    expect(byId['signing.keypair']!.status).toBe('pass');
    expect(byId['token.request']!.status).toBe('skip');
    expect(events).toContain('0:start');
    expect(events).toContain('0:end');
  });

  it('loadConfig returns the failures of a broken file, with positions', async () => {
    const { loadConfig } = await load();
    const broken = writeConfig(dir, 'profile: thredd\nenvironment: uat\nclient:\n  id: "x\n  authMethod: [\n');
    const result = await loadConfig(broken, { env: VALID_ENV });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.failures.map((failure) => failure.id)).toEqual(['config.parse']);
    expect(result.failures[0]!.evidence?.location).toMatchObject({ line: expect.any(Number), column: expect.any(Number) });
  });
});

describe('loadConfig', () => {
  it('resolves a valid config: endpoints derived, variables interpolated, paths absolute', async () => {
    const config = validConfig();
    const result = await source.loadConfig(config, { env: VALID_ENV });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.warnings).toEqual([]);
    expect(result.config).toMatchObject({
      environment: 'uat',
      connectivity: 'tls',
      organisationId: VALID_ENV.THREDD_ORG_ID,
      client: { id: VALID_ENV.THREDD_CLIENT_ID, authMethod: 'private_key_jwt' },
      endpoints: { api: 'https://uat-api.thredd.com', token: 'https://threddid.com/oauth2/token' },
    });
    expect(result.config.signing?.privateKey).toBe(path.join(path.dirname(config), 'certs/signing.key'));
  });

  it.each([
    ['a misspelt key', VALID_JWT_CONFIG.replace('authMethod:', 'authMetod:'), VALID_ENV, 'config.schema', /authMethod/],
    ['a missing variable', VALID_JWT_CONFIG, { THREDD_ORG_ID: 'org-1' }, 'config.references', /THREDD_CLIENT_ID/],
    ['a Production config on the UAT host', `${VALID_JWT_CONFIG.replace('environment: uat', 'environment: production')}endpoints:\n  api: https://uat-api.thredd.com\n`, VALID_ENV, 'config.consistency', /UAT/],
  ])('fails %s at the check that finds it, with its position', async (_, text, env, id, message) => {
    const result = await source.loadConfig(writeConfig(dir, text, { files: SIGNING_FILES }), { env });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.failures.map((failure) => failure.id)).toEqual([id]);
    expect(result.failures[0]!.message).toMatch(message);
    expect(result.failures[0]!.evidence?.location).toMatchObject({ line: expect.any(Number), column: expect.any(Number) });
  });

  it('never rejects for a file that is missing or not a config', async () => {
    for (const file of [path.join(dir, 'nosuch.yaml'), dir]) {
      const result = await source.loadConfig(file, { env: {} });
      expect(result).toMatchObject({ ok: false, failures: [{ id: 'config.parse', status: 'fail' }] });
    }
  });

  it('reads variables from envFiles over env, and redacts secret-named values from the failures', async () => {
    const canary = 'canary-passphrase-7f3a9c';
    const envFile = path.join(dir, 'api.env');
    writeFileSync(envFile, `THREDD_CLIENT_ID=${VALID_ENV.THREDD_CLIENT_ID}\nSIGNING_KEY_PASSPHRASE=${canary}\n`);
    // The passphrase lands in a field the consistency check quotes: a region that is no region.
    const text = VALID_JWT_CONFIG.replace('region: 0', 'region: "${SIGNING_KEY_PASSPHRASE}"');
    const result = await source.loadConfig(writeConfig(dir, text, { files: SIGNING_FILES }), { env: { THREDD_ORG_ID: 'org-1' }, envFiles: [envFile] });
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain(canary);
    if (!result.ok) expect(result.failures[0]!.id).toBe('config.references');
  });
});

describe('runChecks', () => {
  it('takes env from process.env by default', async () => {
    const config = validConfig();
    const saved = { ...process.env };
    Object.assign(process.env, VALID_ENV);
    try {
      const report = await source.runChecks(config, { offline: true, only: ['config'] });
      expect(report.status).toBe('pass');
    } finally {
      for (const name of Object.keys(VALID_ENV)) if (!(name in saved)) delete process.env[name];
    }
  });

  it('runs several configs into one report, keeping their names as given', async () => {
    const good = validConfig();
    const report = await source.runChecks([good, path.join(dir, 'missing.yaml')], { offline: true, env: VALID_ENV });
    expect(report.runs.map((run) => run.config.path)).toEqual([good, path.join(dir, 'missing.yaml')]);
    expect(report.runs.map((run) => run.status)).toEqual(['pass', 'fail']);
    expect(report.status).toBe('fail');
    expect(source.exitCodeFor(report)).toBe(1);
  });

  it('strict makes warnings fail', async () => {
    const config = writeConfig(dir, VALID_JWT_CONFIG, {
      files: Object.fromEntries(Object.entries(signingFiles).map(([name, content]) => [name, { content, mode: 0o644 }])),
    });
    const relaxed = await source.runChecks(config, { offline: true, env: VALID_ENV, only: ['config'] });
    const strict = await source.runChecks(config, { offline: true, env: VALID_ENV, only: ['config'], strict: true });
    expect(relaxed.runs[0]!.checks.find((check) => check.id === 'config.references')!.status).toBe('warn');
    expect([relaxed.status, strict.status]).toEqual(['pass', 'fail']);
  });

  it('never puts a value from a secret-named env-file variable in the report', async () => {
    const canary = 'canary-client-secret-4b1d77';
    const envFile = path.join(dir, 'secret.env');
    writeFileSync(envFile, `THREDD_CLIENT_SECRET=${canary}\n`);
    // The secret pasted as the client id, a mistake the report must not repeat.
    const text = VALID_JWT_CONFIG.replace('id: "${THREDD_CLIENT_ID}"', `id: "${canary}"`);
    const report = await source.runChecks(writeConfig(dir, text, { files: signingFiles }), {
      offline: true,
      env: VALID_ENV,
      envFiles: [envFile],
    });
    expect(report.runs[0]!.config.clientId).toBe('[redacted]');
    expect(JSON.stringify(report)).not.toContain(canary);
  });

  it('rejects a mistake in the call, not in a config', async () => {
    await expect(source.runChecks([], {})).rejects.toThrow(TypeError);
    await expect(source.runChecks('x.yaml', { only: ['jwk'] })).rejects.toThrow(/only names "jwk"/);
    await expect(source.runChecks('x.yaml', { timeoutMs: -1 })).rejects.toThrow(/timeoutMs/);
    await expect(source.runChecks('x.yaml', { envFiles: [path.join(dir, 'nosuch.env')] })).rejects.toThrow(/nosuch\.env cannot be read \(ENOENT\)/);
  });
});

describe('package entry', () => {
  function node(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(process.execPath, args, { cwd: ROOT, timeout: 15_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
      );
    });
  }

  it("`import 'golive'` resolves through package.json exports to the built entry, with its types and schemas", async () => {
    const script = [
      "import { runChecks, loadConfig, CHECK_IDS } from 'golive';",
      "console.log(typeof runChecks, typeof loadConfig, CHECK_IDS.length);",
      "console.log(import.meta.resolve('golive'));",
      "console.log(import.meta.resolve('golive/schemas/config.schema.json'));",
    ].join('\n');
    const result = await node(['--input-type=module', '-e', script]);
    expect(result.stderr).toBe('');
    const [kinds, entry, schema] = result.stdout.trim().split('\n');
    expect(kinds).toBe(`function function ${source.CHECK_IDS.length}`);
    expect(fileURLToPath(entry!)).toBe(path.join(ROOT, 'dist', 'index.js'));
    expect(existsSync(fileURLToPath(schema!))).toBe(true);
    expect(existsSync(path.join(ROOT, 'dist', 'index.d.ts'))).toBe(true);
  });
});

describe('types', () => {
  it('are those of the contract', () => {
    expectTypeOf(source.runChecks).parameter(0).toEqualTypeOf<string | readonly string[]>();
    expectTypeOf(source.runChecks).returns.resolves.toEqualTypeOf<Report>();
    expectTypeOf(source.loadConfig).returns.resolves.toEqualTypeOf<LoadConfigResult>();
    expectTypeOf<Extract<LoadConfigResult, { ok: true }>['config']>().toEqualTypeOf<ResolvedConfig>();
    expectTypeOf<Extract<LoadConfigResult, { ok: false }>['failures']>().toEqualTypeOf<CheckReport[]>();
    expectTypeOf<RunChecksOptions['env']>().toEqualTypeOf<Readonly<Record<string, string | undefined>> | undefined>();
  });
});
