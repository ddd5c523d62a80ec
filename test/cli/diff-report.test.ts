import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { golive } from '../support/cli.js';

// `golive diff` and `golive report` through the built binary, on the sandbox's
// UAT-like and Production-like configs.

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ quiet: true });
});
afterAll(async () => {
  await sandbox?.close();
});

describe('golive diff through the binary', () => {
  it('reviews the sandbox pair: the Production config still points at the sandbox, and the region change is listed', async () => {
    const { uat, production } = sandbox.migration;
    const result = await golive(['diff', path.basename(uat), path.basename(production), '--format', 'json', '--json', 'diff.json'], sandbox.dir);
    expect(result.code, result.stderr).toBe(1);
    const report = JSON.parse(result.stdout) as { command: string; runs: { pair?: unknown; checks: { id: string; status: string; message?: string }[] }[] };
    expect(report.command).toBe('diff');
    expect(report.runs[0]!.pair).toMatchObject({ uat: { path: path.basename(uat) }, production: { path: path.basename(production) } });
    const byId = Object.fromEntries(report.runs[0]!.checks.map((check) => [check.id, check]));
    expect(byId['migration.credentials']!.status).toBe('pass');
    expect(byId['migration.endpoints']).toMatchObject({ status: 'fail', message: expect.stringMatching(/local address \(127\.0\.0\.1\), not the Production platform/) });
    expect(byId['migration.changes']).toMatchObject({ status: 'warn', message: expect.stringMatching(/region changes from 0 \(Default\) to 1 \(EMEA\)/) });
    expect(JSON.parse(await readFile(path.join(sandbox.dir, 'diff.json'), 'utf8'))).toEqual(report);
  });

  it('writes SARIF like check does, with the migration rules documented', async () => {
    const { uat, production } = sandbox.migration;
    const result = await golive(['diff', path.basename(uat), path.basename(production), '--sarif', 'diff.sarif'], sandbox.dir);
    expect(result.code).toBe(1);
    const log = JSON.parse(await readFile(path.join(sandbox.dir, 'diff.sarif'), 'utf8')) as {
      runs: { results: { ruleId: string; level: string }[]; tool: { driver: { rules: { id: string; fullDescription?: { text: string } }[] } } }[];
    };
    expect(log.runs[0]!.results).toEqual(
      expect.arrayContaining([expect.objectContaining({ ruleId: 'migration.endpoints', level: 'error' })]),
    );
    const rule = log.runs[0]!.tool.driver.rules.find((candidate) => candidate.id === 'migration.endpoints')!;
    expect(rule.fullDescription?.text).toMatch(/Production/);
  });

  it('exits 2 on a usage error', async () => {
    const result = await golive(['diff', 'only-one.yaml'], sandbox.dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^golive: /);
  });
});

describe('golive report through the binary', () => {
  it('renders a received JSON report, and refuses a file that is not one', async () => {
    const written = await golive(['check', '--offline', '--json', 'report.json', path.basename(sandbox.configs['private_key_jwt-tls']!)], sandbox.dir, {
      THREDD_CLIENT_SECRET: 'unused',
    });
    expect(written.code, written.stderr).toBe(0);
    const rendered = await golive(['report', 'report.json', '--format', 'plain'], sandbox.dir);
    expect(rendered.code).toBe(0);
    expect(rendered.stdout).toMatch(/PASS {2}signing\.keypair/);
    await writeFile(path.join(sandbox.dir, 'not-a-report.json'), '{"hello": "world"}');
    const refused = await golive(['report', 'not-a-report.json'], sandbox.dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^golive: /);
  });
});
