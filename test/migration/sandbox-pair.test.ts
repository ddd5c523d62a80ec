import { readFile, stat } from 'node:fs/promises';
import { Writable } from 'node:stream';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import type { Report } from '../../src/report/types.js';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ quiet: true });
});

afterAll(() => sandbox?.close());

async function diff(format: string): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const io = {
    stdout: new Writable({ write: (chunk, _encoding, done) => ((stdout += String(chunk)), done()) }),
    stderr: new Writable({ write: (_chunk, _encoding, done) => done() }),
    env: { NO_COLOR: '1' },
    cwd: sandbox.dir,
  };
  const code = await main(['diff', '--format', format, '--env-file', path.basename(sandbox.envFile), 'migration-uat.yaml', 'migration-prod.yaml'], io);
  return { code, stdout };
}

describe("the sandbox's migration pair", () => {
  it('writes a UAT config and a Production-like one with its own client and credentials', async () => {
    expect(path.basename(sandbox.migration.uat)).toBe('migration-uat.yaml');
    expect(path.basename(sandbox.migration.production)).toBe('migration-prod.yaml');
    const uat = parse(await readFile(sandbox.migration.uat, 'utf8'));
    const production = parse(await readFile(sandbox.migration.production, 'utf8'));
    expect(uat).toMatchObject({ environment: 'uat', connectivity: 'mtls', client: { id: sandbox.clients['private_key_jwt-mtls'], authMethod: 'private_key_jwt' } });
    expect(production).toMatchObject({
      environment: 'production',
      connectivity: 'mtls',
      region: 1,
      client: { authMethod: 'private_key_jwt' },
      signing: { certificate: 'certs/production-signing.pem', privateKey: 'certs/production-signing.key' },
      transport: { certificate: 'certs/production-transport.pem', privateKey: 'certs/production-transport.key' },
    });
    expect(production.client.id).not.toBe(uat.client.id);
    for (const key of [sandbox.files.productionSigningKey, sandbox.files.productionTransportKey]) {
      expect((await stat(key)).mode & 0o777).toBe(0o600);
    }
    expect(Object.values(sandbox.configs)).not.toContain(sandbox.migration.production);
  });

  it('is diagnosed by golive diff: new credentials, but sandbox hosts, CA and issuers, and a region change', async () => {
    const { code, stdout } = await diff('json');
    expect(code).toBe(1);
    const checks = Object.fromEntries((JSON.parse(stdout) as Report).runs[0]!.checks.map((check) => [check.id, check]));
    expect(checks['migration.load']!.status).toBe('pass');
    expect(checks['migration.environments']!.status).toBe('pass');
    expect(checks['migration.credentials']!).toMatchObject({ status: 'pass', evidence: { signing: { comparison: 'different' }, transport: { comparison: 'different' } } });
    expect(checks['migration.endpoints']!.status).toBe('fail');
    expect(checks['migration.endpoints']!.message).toContain('http.ca (ca.pem) trusts CN=Thredd Sandbox Issuing CA');
    expect(checks['migration.endpoints']!.message).toContain('signing.certificate (certs/production-signing.pem) was issued by CN=Thredd Sandbox Issuing CA');
    expect(checks['migration.endpoints']!.message).toContain('is a local address (127.0.0.1)');
    expect(checks['migration.changes']!).toMatchObject({ status: 'warn', message: 'region changes from 0 (Default) to 1 (EMEA).' });
    expect(checks['migration.lifetimes']!.status).toBe('pass');

    const plain = await diff('plain');
    expect(plain.stdout).toContain('FAIL  migration.endpoints');
  });
});
