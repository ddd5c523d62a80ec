import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/types.js';
import { issue } from '../support/credentials.js';
import { CLI, golive } from '../support/cli.js';

// `golive init uat.yaml` and `golive init prod.yaml --environment production`,
// then `golive diff uat.yaml prod.yaml` through the built binary: two fresh
// starters must not fail their own migration review by reading the same variables.

const AUTH_METHODS = ['private_key_jwt', 'client_secret_post', 'client_secret_basic'] as const;
const CONNECTIVITIES = ['tls', 'mtls'] as const;
const PAIRS = AUTH_METHODS.flatMap((authMethod) => CONNECTIVITIES.map((connectivity) => [authMethod, connectivity] as const));

/** Each environment's values under the names its starter reads: every value differs between the two. */
const ENV = {
  THREDD_ORG_ID: 'org-uat-1234',
  THREDD_CLIENT_ID: '6f1c7a52-3b8e-4f5e-9d3a-2b7c1e0f4a11',
  THREDD_CLIENT_SECRET: 'a-uat-client-secret-value',
  THREDD_PROD_ORG_ID: 'org-prod-5678',
  THREDD_PROD_CLIENT_ID: '0d9e8f7a-6b5c-4d3e-8f1a-2b3c4d5e6f70',
  THREDD_PROD_CLIENT_SECRET: 'a-production-client-secret-value',
};

/** A field's value read from a variable (quoted, as the starters write them; the header's `${VAR}` is prose). */
const VARIABLE = /"\$\{([A-Za-z_][A-Za-z0-9_]*)\}"/g;

let dir: string;

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build before these tests`);
  dir = await mkdtemp(path.join(tmpdir(), 'golive-init-production-'));
  // Not "test" in the subject: a Production config rightly fails certificates from test CAs.
  const subject = 'CN=acme-client, O=Example Ltd, C=GB';
  for (const environment of ['uat', 'production']) {
    // Each environment its own keys, as the starters' certs/<environment>/ folders intend.
    const signing = await issue({ subject, key: { kind: 'rsa', bits: 2048 } });
    const transport = await issue({ subject, key: { kind: 'rsa', bits: 2048 }, extKeyUsage: ['clientAuth'] });
    const files = {
      'signing.pem': signing.certPem,
      'signing.key': signing.keyPem,
      'transport.pem': transport.certPem,
      'transport.key': transport.keyPem,
    };
    await mkdir(path.join(dir, 'certs', environment), { recursive: true });
    for (const [name, content] of Object.entries(files)) await writeFile(path.join(dir, 'certs', environment, name), content, { mode: 0o600 });
  }
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Writes both starters; `tag` keeps each test's files apart, the certs/ folder they name is shared. */
async function starters(authMethod: string, connectivity: string, tag: string): Promise<{ uat: string; production: string }> {
  const [uat, production] = [`${tag}-uat-${connectivity}-${authMethod}.yaml`, `${tag}-prod-${connectivity}-${authMethod}.yaml`];
  const flags = ['--auth-method', authMethod, '--connectivity', connectivity];
  for (const args of [['init', uat, ...flags], ['init', production, ...flags, '--environment', 'production']]) {
    const written = await golive(args, dir);
    expect(written.code, written.stderr).toBe(0);
  }
  return { uat, production };
}

describe.concurrent('golive diff on two fresh starters', () => {
  it.each(PAIRS)('%s over %s: migration.credentials passes, as the Production starter reads its own variables', async (authMethod, connectivity) => {
    const { uat, production } = await starters(authMethod, connectivity, 'diff');
    const result = await golive(['diff', uat, production, '--format', 'json'], dir, ENV);
    const report = JSON.parse(result.stdout) as Report;
    const checks = new Map(report.runs[0]!.checks.map((check) => [check.id, check]));
    expect(checks.get('migration.load'), JSON.stringify(checks.get('migration.load'))).toMatchObject({ status: 'pass' });
    const credentials = checks.get('migration.credentials')!;
    expect(credentials, JSON.stringify(credentials)).toMatchObject({ status: 'pass', message: expect.stringMatching(/^Production has its own client id\b/) });
    expect(credentials.message).toContain(authMethod === 'private_key_jwt' ? 'signing key and certificate' : 'client secret');
    if (connectivity === 'mtls') expect(credentials.message).toContain('transport key and certificate');
    expect(JSON.stringify(report)).not.toContain(ENV.THREDD_PROD_CLIENT_SECRET);
  });

  it.each(PAIRS)('%s over %s: the two starters share no variable, commented-out passphrases included', async (authMethod, connectivity) => {
    const { uat, production } = await starters(authMethod, connectivity, 'names');
    const names = async (file: string): Promise<Set<string>> => new Set([...(await readFile(path.join(dir, file), 'utf8')).matchAll(VARIABLE)].map((match) => match[1]!));
    const [uatNames, productionNames] = [await names(uat), await names(production)];
    expect([...uatNames].filter((name) => productionNames.has(name))).toEqual([]);
    expect([...productionNames].every((name) => name.includes('PROD'))).toBe(true);
  });

  it('golive init --help names every variable the starters read', async () => {
    const written = new Set<string>();
    for (const [authMethod, connectivity] of [['private_key_jwt', 'mtls'], ['client_secret_basic', 'tls']] as const) {
      const { uat, production } = await starters(authMethod, connectivity, 'help');
      for (const file of [uat, production]) for (const match of (await readFile(path.join(dir, file), 'utf8')).matchAll(VARIABLE)) written.add(match[1]!);
    }
    expect(written.size).toBe(10);
    const help = await golive(['init', '--help'], dir);
    expect(help.code).toBe(0);
    for (const name of written) expect(help.stdout).toMatch(new RegExp(`\\b${name}\\b`));
  });

  it('a Production starter, before anything is filled in, names its own variables (config.references)', async () => {
    const { production } = await starters('client_secret_post', 'tls', 'unset');
    const result = await golive(['check', '--offline', '--format', 'json', production], dir);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as Report;
    const references = report.runs[0]!.checks.find((check) => check.id === 'config.references')!;
    expect(references).toMatchObject({
      status: 'fail',
      code: 'variable-not-set',
      message: expect.stringMatching(/^Variables THREDD_PROD_ORG_ID, THREDD_PROD_CLIENT_ID, THREDD_PROD_CLIENT_SECRET are not set/),
      hint: expect.stringMatching(/^Export THREDD_PROD_ORG_ID, THREDD_PROD_CLIENT_ID, THREDD_PROD_CLIENT_SECRET /),
    });
  });
});
