import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Ajv } from 'ajv';
import { stringify } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import reportSchema from '../../schemas/report.schema.json' with { type: 'json' };
import { MIGRATION_IDS } from '../../checks/migration/index.js';
import { parseGoLive } from '../../src/cli/spec.js';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/io.js';
import type { Report } from '../../src/report/types.js';
import { tempDir } from '../support/config-files.js';
import { writeCredential } from '../support/credentials.js';
import { expectFindingFields } from '../support/report-invariants.js';
import {
  credentialFiles,
  generateCredentials,
  PAIR_ENV,
  PROD_SECRET,
  prodDocument,
  secretDocument,
  UAT_SECRET,
  uatDocument,
} from './support.js';

// The CLI registers `diff` itself; here the command runs in-process through
// main(), so exit codes (2 for usage errors) are those a user sees.

const FORMATS = ['plain', 'pretty', 'json', 'junit', 'markdown', 'github'] as const;

function captureIo(cwd: string, env: Record<string, string> = {}): Io & { out(): string; err(): string } {
  let out = '';
  let err = '';
  const sink = (append: (text: string) => void) =>
    new Writable({
      write(chunk, _encoding, done) {
        append(String(chunk));
        done();
      },
    });
  return {
    stdout: sink((text) => (out += text)),
    stderr: sink((text) => (err += text)),
    env: { NO_COLOR: '1', ...env },
    cwd,
    out: () => out,
    err: () => err,
  };
}

async function golive(args: string[], cwd: string, env: Record<string, string> = PAIR_ENV) {
  const io = captureIo(cwd, env);
  const code = await main(['diff', ...args], io);
  return { code, stdout: io.out(), stderr: io.err() };
}

const dir = tempDir('golive-diff-command-');
let cwd: string;

beforeAll(async () => {
  cwd = path.join(dir, 'project');
  for (const [name, content] of Object.entries(credentialFiles(await generateCredentials()))) writeCredential(cwd, name, content);
  const write = (name: string, document: object) => writeCredential(cwd, name, stringify(document));
  write('uat.yaml', uatDocument());
  write('prod.yaml', prodDocument());
  write('prod-region.yaml', { ...prodDocument(), region: 1 });
  write('prod-reused.yaml', { ...prodDocument(), signing: uatDocument().signing, endpoints: { api: 'https://uat-mtls.thredd.com' } });
  write('uat-secret.yaml', secretDocument('uat'));
  write('prod-secret.yaml', secretDocument('production'));
  write('prod-same-secret.yaml', { ...secretDocument('production'), client: { id: '${PROD_CLIENT_ID}', authMethod: 'client_secret_post', secret: '${UAT_CLIENT_SECRET}' } });
  writeCredential(cwd, 'secrets.env', `UAT_CLIENT_SECRET=${UAT_SECRET}\nPROD_CLIENT_SECRET=${PROD_SECRET}\n`);
});

describe('golive diff', () => {
  it('passes a clean migration: exit 0, every migration check in order, Ready for go-live', async () => {
    const { code, stdout, stderr } = await golive(['--format', 'plain', 'uat.yaml', 'prod.yaml'], cwd);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^golive \S+ diff \(Node /);
    const order = MIGRATION_IDS.map((id) => stdout.indexOf(`PASS  ${id}`));
    expect(order.every((at) => at > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(stdout).toContain('prod.yaml: environment production, connectivity mtls, auth private_key_jwt, region 0');
    expect(stdout.trimEnd().split('\n').at(-1)).toBe('Ready for go-live');
  });

  it('writes a JSON report that validates against the report schema, with the pair', async () => {
    const { code, stdout } = await golive(['--format', 'json', 'uat.yaml', 'prod-reused.yaml'], cwd);
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as Report;
    expectFindingFields(report);
    const validate = new Ajv({ allErrors: true, strict: false }).compile(reportSchema);
    expect(validate.errors ?? validate(report)).toBe(true);
    expect(report.command).toBe('diff');
    expect(report.runs).toHaveLength(1);
    const [run] = report.runs;
    expect(run!.config).toMatchObject({ path: 'prod-reused.yaml', environment: 'production', clientId: PAIR_ENV.PROD_CLIENT_ID });
    expect(run!.pair).toMatchObject({
      uat: { path: 'uat.yaml', environment: 'uat', clientId: PAIR_ENV.UAT_CLIENT_ID, endpoints: { api: 'https://uat-mtls.thredd.com' } },
      production: { path: 'prod-reused.yaml', environment: 'production' },
    });
    expect(run!.checks.map((check) => [check.id, check.status])).toEqual([
      ['migration.load', 'pass'],
      ['migration.environments', 'pass'],
      ['migration.credentials', 'fail'],
      ['migration.endpoints', 'fail'],
      ['migration.changes', 'pass'],
      ['migration.lifetimes', 'pass'],
    ]);
    expect(report.status).toBe('fail');
  });

  it('skips every other check, naming migration.load, when a config does not load', async () => {
    const { code, stdout } = await golive(['--format', 'json', 'uat.yaml', 'missing.yaml'], cwd);
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as Report;
    const [load, ...rest] = report.runs[0]!.checks;
    expect(load).toMatchObject({ id: 'migration.load', status: 'fail', message: expect.stringMatching(/^missing\.yaml \(Production\): The config file missing\.yaml does not exist/) });
    for (const check of rest) expect(check).toMatchObject({ status: 'skip', message: 'needs migration.load, which failed' });
    expect(report.runs[0]!.config).toEqual({ path: 'missing.yaml' });
  });

  it('lists a change as a warning: exit 0, and exit 1 with --strict', async () => {
    const relaxed = await golive(['--format', 'plain', 'uat.yaml', 'prod-region.yaml'], cwd);
    expect(relaxed.code).toBe(0);
    expect(relaxed.stdout).toContain('WARN  migration.changes');
    expect(relaxed.stdout).toContain('region changes from 0 (Default) to 1 (EMEA).');
    const strict = await golive(['--strict', '--format', 'plain', 'uat.yaml', 'prod-region.yaml'], cwd);
    expect(strict.code).toBe(1);
  });

  it('takes the go-live day from --go-live: a far date the certificates do not cover fails', async () => {
    const far = new Date(Date.now() + 800 * 86_400_000).toISOString().slice(0, 10);
    const { code, stdout } = await golive(['--format', 'plain', '--go-live', far, 'uat.yaml', 'prod.yaml'], cwd);
    expect(code).toBe(1);
    expect(stdout).toContain('FAIL  migration.lifetimes');
    expect(stdout).toContain(`before the end of go-live day ${far}`);
  });

  it('writes --json, --junit and --markdown artifacts', async () => {
    const { code } = await golive(['--format', 'plain', '--json', 'out/r.json', '--junit', 'out/j.xml', '--markdown', 'out/s.md', 'uat.yaml', 'prod.yaml'], cwd);
    expect(code).toBe(0);
    expect(JSON.parse(await readFile(path.join(cwd, 'out/r.json'), 'utf8'))).toMatchObject({ command: 'diff' });
    expect(await readFile(path.join(cwd, 'out/j.xml'), 'utf8')).toContain('migration.credentials');
    expect(await readFile(path.join(cwd, 'out/s.md'), 'utf8')).toContain('migration.lifetimes');
  });

  const usage: [string, string[], RegExp][] = [
    ['one config', ['uat.yaml'], /diff takes two configs, UAT first and Production second; got 1/],
    ['three configs', ['a.yaml', 'b.yaml', 'c.yaml'], /got 3/],
    ['a --go-live that is not a date', ['--go-live', 'next friday', 'uat.yaml', 'prod.yaml'], /--go-live takes a date as YYYY-MM-DD/],
    ['a --go-live day that does not exist', ['--go-live', '2026-02-30', 'uat.yaml', 'prod.yaml'], /--go-live takes a date/],
    ['an unknown format', ['--format', 'sarif2', 'uat.yaml', 'prod.yaml'], /--format must be one of pretty, plain, json, junit, markdown, github/],
    ['an unknown flag', ['--offline', 'uat.yaml', 'prod.yaml'], /^golive: unknown option --offline$/m],
    ['an artifact over an input', ['--json', 'prod.yaml', 'uat.yaml', 'prod.yaml'], /--json prod\.yaml would overwrite the Production config prod\.yaml, an input of this run/],
    ['an env file that cannot be read', ['--env-file', 'nope.env', 'uat.yaml', 'prod.yaml'], /--env-file nope\.env cannot be read \(ENOENT\)/],
  ];

  it.each(usage)('exits 2 for %s', async (_name, args, message) => {
    const { code, stdout, stderr } = await golive(args, cwd);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr).toContain('Run "golive diff --help" for usage.');
  });

  it('prints its help', async () => {
    const { code, stdout } = await golive(['--help'], cwd);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: golive diff <uat-config> <production-config>/);
    expect(stdout).toMatch(/--go-live +the go-live day, YYYY-MM-DD/);
  });

  it('parses --go-live as the start of that UTC day', () => {
    expect(parseGoLive('2026-12-01')).toBe(Date.UTC(2026, 11, 1));
  });
});

describe('golive diff never shows a client secret', () => {
  const runs: [string, string[]][] = [
    ['different secrets', ['uat-secret.yaml', 'prod-secret.yaml']],
    ['the same secret in both', ['uat-secret.yaml', 'prod-same-secret.yaml']],
  ];

  it.each(runs)('%s: in no format, artifact or stream', async (_name, configs) => {
    const outputs: string[] = [];
    for (const format of FORMATS) {
      const { stdout, stderr } = await golive(['--format', format, '--env-file', 'secrets.env', '--json', `canary/${format}.json`, '--markdown', `canary/${format}.md`, ...configs], cwd, {
        UAT_CLIENT_ID: PAIR_ENV.UAT_CLIENT_ID,
        PROD_CLIENT_ID: PAIR_ENV.PROD_CLIENT_ID,
      });
      outputs.push(stdout, stderr, await readFile(path.join(cwd, `canary/${format}.json`), 'utf8'), await readFile(path.join(cwd, `canary/${format}.md`), 'utf8'));
    }
    const all = outputs.join('\n');
    expect(all).toContain('PASS  migration.load');
    expect(all).toContain('migration.credentials');
    for (const secret of [UAT_SECRET, PROD_SECRET]) {
      expect(all).not.toContain(secret);
      expect(all).not.toContain(Buffer.from(secret).toString('base64'));
      expect(all).not.toContain(secret.slice(0, 12));
    }
  });

  it('reports the same secret as a failure by digest, with lengths only', async () => {
    const { code, stdout } = await golive(['--format', 'json', '--env-file', 'secrets.env', 'uat-secret.yaml', 'prod-same-secret.yaml'], cwd, {
      UAT_CLIENT_ID: PAIR_ENV.UAT_CLIENT_ID,
      PROD_CLIENT_ID: PAIR_ENV.PROD_CLIENT_ID,
    });
    expect(code).toBe(1);
    const credentials = (JSON.parse(stdout) as Report).runs[0]!.checks.find((check) => check.id === 'migration.credentials')!;
    expect(credentials.status).toBe('fail');
    expect(credentials.evidence?.secret).toEqual({
      uat: `\${UAT_CLIENT_SECRET}, length ${UAT_SECRET.length}`,
      production: `\${UAT_CLIENT_SECRET}, length ${UAT_SECRET.length}`,
      comparison: 'same',
    });
  });
});
