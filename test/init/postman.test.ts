import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  describePostmanImport,
  importPostman,
  parsePostmanJson,
  PostmanFormatError,
  type PostmanImport,
} from '../../src/init/postman.js';
import type { Report } from '../../src/report/types.js';
import { tempDir } from '../support/config-files.js';
import { issue, type Issued } from '../support/credentials.js';
import { CLI, golive } from '../support/cli.js';


const schema = JSON.parse(readFileSync(new URL('../../schemas/config.schema.json', import.meta.url), 'utf8')) as object;
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

const SECRET_CANARY = 'canary-client-secret-9d2f61a7';
const PASSPHRASE_CANARY = 'canary-passphrase-5e80c3';
const CLIENT_ID = '6f1c7a52-3b8e-4f5e-9d3a-2b7c1e0f4a11';

let signing: Issued;
/** The PEM body lines of the key: none may reach any output but the key file. */
let keyLines: string[];

beforeAll(async () => {
  signing = await issue({ key: { kind: 'rsa', bits: 2048 } });
  keyLines = signing.keyPem.split('\n').filter((line) => line && !line.startsWith('-----'));
});

type Variables = Record<string, string>;

function environment(variables: Variables, name = 'Thredd UAT'): object {
  return {
    id: 'a7b2c9d0-0000-4000-8000-000000000001',
    name,
    values: Object.entries(variables).map(([key, value]) => ({ key, value, enabled: true, type: /secret|key/i.test(key) ? 'secret' : 'default' })),
    _postman_variable_scope: 'environment',
  };
}

interface Imported extends PostmanImport {
  yaml: Record<string, unknown> & { client: Record<string, unknown>; signing?: Record<string, unknown> };
}

function imported(variables: Variables, overrides = {}): Imported {
  const result = importPostman(environment(variables), overrides);
  return { ...result, yaml: parse(result.config) as Imported['yaml'] };
}

function at(value: unknown, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], value);
}

/** Asserts no secret (nor a line of the key) is in `text`. */
function expectNoSecrets(text: string): void {
  expect(text).not.toContain(SECRET_CANARY);
  expect(text).not.toContain(PASSPHRASE_CANARY);
  expect(text).not.toMatch(/PRIVATE KEY/);
  for (const line of keyLines) expect(text).not.toContain(line);
}

describe('importPostman: the mapping table', () => {
  it.each([
    ['client_id', CLIENT_ID, 'client.id', CLIENT_ID],
    ['clientId', CLIENT_ID, 'client.id', CLIENT_ID],
    ['Client-ID', CLIENT_ID, 'client.id', CLIENT_ID],
    ['kid', 'kid-1a2b', 'signing.kid', 'kid-1a2b'],
    ['x-region', '2', 'region', 2],
    ['region', '1', 'region', 1],
    ['X-Region', '0', 'region', 0],
    ['organisation_id', 'org-9', 'organisationId', 'org-9'],
    ['org_id', 'org-9', 'organisationId', 'org-9'],
    ['organizationId', 'org-9', 'organisationId', 'org-9'],
    ['scope', 'cards:read accounts', 'client.scopes', ['cards:read', 'accounts']],
    ['token_url', 'https://auth.example.com/oauth2/token', 'endpoints.token', 'https://auth.example.com/oauth2/token'],
    ['auth_url', 'https://auth.example.com/token', 'endpoints.token', 'https://auth.example.com/token'],
    ['base_url', 'https://api.example.com', 'endpoints.api', 'https://api.example.com'],
    ['baseUrl', 'https://api.example.com/v1', 'endpoints.api', 'https://api.example.com'],
    ['url', 'https://api.example.com', 'endpoints.api', 'https://api.example.com'],
    ['certificate', '/etc/golive/signing.pem', 'signing.certificate', '/etc/golive/signing.pem'],
    ['cert', './signing.crt', 'signing.certificate', './signing.crt'],
    ['jwks_url', 'https://keys.example.com/jwks.json', 'endpoints.jwks', 'https://keys.example.com/jwks.json'],
  ])('%s → %s', (key, value, field, expected) => {
    const result = imported({ private_key: signing.keyPem, [key]: value });
    expect(at(result.yaml, field)).toEqual(expected);
    expect(result.mapped.map(({ variable }) => variable)).toContain(key);
    expect(validate(result.yaml), JSON.stringify(validate.errors)).toBe(true);
  });

  it.each([['private_key'], ['privateKey'], ['signing_key']])('%s moves into certs/<environment>/signing.key, mode 0600', (key) => {
    const result = imported({ [key]: signing.keyPem.replace(/\n/g, '\\n'), client_id: CLIENT_ID });
    expect(result.yaml.client.authMethod).toBe('private_key_jwt');
    expect(result.yaml.signing).toMatchObject({ privateKey: 'certs/uat/signing.key', algorithm: 'PS256' });
    expect(result.files).toEqual([{ path: 'certs/uat/signing.key', content: signing.keyPem, mode: 0o600, from: key }]);
    expectNoSecrets(result.config);
  });

  it('writes a certificate given as PEM to its own file beside the key', () => {
    const result = imported({ private_key: signing.keyPem, certificate: signing.certPem });
    expect(result.yaml.signing).toMatchObject({ certificate: 'certs/uat/signing.pem' });
    expect(result.files.find((file) => file.path === 'certs/uat/signing.pem')).toMatchObject({ content: signing.certPem, mode: 0o644 });
    expect(result.todo.filter((item) => item.startsWith('signing.'))).toEqual([]);
  });

  it('writes a certificate variable that also holds the key (a combined PEM) for the owner only', () => {
    const result = imported({ private_key: signing.keyPem, certificate: signing.certPem + signing.keyPem });
    expect(result.files.find((file) => file.path === 'certs/uat/signing.pem')).toMatchObject({ mode: 0o600 });
  });

  it('chooses ES256 for an EC P-256 key', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const result = imported({ private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string });
    expect(result.yaml.signing).toMatchObject({ algorithm: 'ES256' });
    expect(result.inferred).toContainEqual({ field: 'signing.algorithm', value: 'ES256', reason: 'the private key is an EC P-256 key' });
  });

  it('a client secret gives client_secret_post with ${THREDD_CLIENT_SECRET}, never the value', () => {
    const result = imported({ client_id: CLIENT_ID, client_secret: SECRET_CANARY, base_url: 'https://uat-api.thredd.com' });
    expect(result.yaml.client).toEqual({ id: CLIENT_ID, authMethod: 'client_secret_post', secret: '${THREDD_CLIENT_SECRET}', scopes: [] });
    expect(result.exports).toEqual([{ name: 'THREDD_CLIENT_SECRET', from: 'client_secret' }]);
    expect(result.inferred).toContainEqual(expect.objectContaining({ field: 'client.authMethod', value: 'client_secret_post' }));
    expect(result.secrets).toContain(SECRET_CANARY);
    expect(validate(result.yaml), JSON.stringify(validate.errors)).toBe(true);
    expectNoSecrets(result.config);
    expectNoSecrets(describePostmanImport(result, 'env.json', 'golive.yaml'));
  });

  it('a private key wins over a secret: the secret is listed as not used and not written', () => {
    const result = imported({ client_secret: SECRET_CANARY, private_key: signing.keyPem, passphrase: PASSPHRASE_CANARY });
    expect(result.yaml.client.authMethod).toBe('private_key_jwt');
    expect(result.yaml.client).not.toHaveProperty('secret');
    expect(result.ignored).toContainEqual({ variable: 'client_secret', reason: 'private_key_jwt does not use a client secret (not written)' });
    expect(result.yaml.signing).toMatchObject({ passphrase: '${SIGNING_KEY_PASSPHRASE}' });
    expectNoSecrets(result.config);
    expectNoSecrets(describePostmanImport(result, 'env.json', 'golive.yaml'));
  });

  it.each([
    ['https://api.thredd.com', 'production', 'tls'],
    ['https://mtls.thredd.com/core/api/v1', 'production', 'mtls'],
    ['https://uat-api.thredd.com', 'uat', 'tls'],
    ['https://uat-mtls.thredd.com', 'uat', 'mtls'],
  ])('the base URL %s infers %s over %s, and says so', (url, env, connectivity) => {
    const result = imported({ base_url: url, private_key: signing.keyPem });
    expect(result.yaml).toMatchObject({ environment: env, connectivity });
    expect(result.yaml).not.toHaveProperty('endpoints');
    expect(result.inferred).toContainEqual(expect.objectContaining({ field: 'environment', value: env, reason: expect.stringContaining(new URL(url).origin) }));
    expect(result.guessed.map(({ field }) => field)).not.toContain('environment');
    if (connectivity === 'mtls') {
      expect(result.yaml).toMatchObject({ transport: { certificate: `certs/${env}/transport.pem`, privateKey: `certs/${env}/transport.key` } });
      expect(result.todo.join('\n')).toMatch(/transport\.certificate.*Settings > Certificates/);
    }
    expect(validate(result.yaml), JSON.stringify(validate.errors)).toBe(true);
  });

  it('without a Thredd host, environment uat is a listed guess with a comment in the YAML', () => {
    const result = imported({ client_id: CLIENT_ID, base_url: 'https://api.example.com', private_key: signing.keyPem });
    expect(result.yaml.environment).toBe('uat');
    expect(result.config).toMatch(/^environment: uat\s+# GUESSED/m);
    expect(result.guessed).toContainEqual(expect.objectContaining({ field: 'environment', value: 'uat' }));
    expect(describePostmanImport(result, 'env.json', 'golive.yaml')).toMatch(/^Guessed .*\n {2}environment: uat\s+base_url https:\/\/api\.example\.com is not a Thredd API host/m);
  });

  it('--environment, --connectivity and --auth-method override what the export says, and that is listed', () => {
    const result = imported({ base_url: 'https://uat-api.thredd.com', private_key: signing.keyPem, client_secret: SECRET_CANARY }, {
      environment: 'production',
      authMethod: 'client_secret_basic',
    });
    expect(result.yaml).toMatchObject({ environment: 'production', connectivity: 'tls', endpoints: { api: 'https://uat-api.thredd.com' } });
    expect(result.yaml.client).toMatchObject({ authMethod: 'client_secret_basic', secret: '${THREDD_CLIENT_SECRET}' });
    expect(result.inferred).toContainEqual(expect.objectContaining({ field: 'environment', reason: expect.stringMatching(/--environment.*uat host/) }));
    expect(result.ignored).toContainEqual({ variable: 'private_key', reason: 'client_secret_basic does not sign assertions' });
    expect(result.files).toEqual([]);
  });

  it('lists unknown variables by name only, and accounts for every variable exactly once', () => {
    const variables = {
      client_id: CLIENT_ID,
      kid: 'kid-1',
      private_key: signing.keyPem,
      ssa_id: 'ssa-1',
      publicToken: 'canary-public-token-1234',
      access_token: 'canary-access-token-5678',
      scope: '',
      region: 'EMEA',
      token_url: 'https://threddid.com/oauth2/token',
      clientId: 'another-client',
    };
    const result = imported(variables);
    expect(result.unknown).toEqual(['publicToken', 'access_token']);
    const accounted = [...result.mapped.map(({ variable }) => variable), ...result.ignored.map(({ variable }) => variable), ...result.unknown];
    expect(accounted.sort()).toEqual(Object.keys(variables).sort());
    expect(result.ignored).toEqual(
      expect.arrayContaining([
        { variable: 'ssa_id', reason: expect.stringMatching(/not needed/) },
        { variable: 'scope', reason: 'empty' },
        { variable: 'region', reason: '"EMEA" is not a region (0, 1 or 2)' },
        { variable: 'clientId', reason: 'client_id already gives client.id' },
      ]),
    );
    expect(result.guessed).toContainEqual(expect.objectContaining({ field: 'region', value: '0' }));
    const shown = describePostmanImport(result, 'env.json', 'golive.yaml');
    expect(shown).toContain('Not imported, unknown to golive (values not shown): publicToken, access_token');
    expect(shown).not.toMatch(/canary-(public|access)-token/);
    expect(result.config).not.toMatch(/canary-(public|access)-token/);
  });

  it('redacts by what a value is: a token URL is shown, an unknown secret-named value is not', () => {
    const result = imported({ token_url: 'https://threddid.com', private_key: signing.keyPem, api_key: 'canary-api-key-0a1b2c' });
    expect(result.secrets).toContain('canary-api-key-0a1b2c');
    expect(result.secrets).not.toContain('https://threddid.com');
    expect(result.ignored).toContainEqual({ variable: 'token_url', reason: "the token host, not the token URL: the profile's https://threddid.com/oauth2/token is used" });
  });

  it('reads a collection export\'s variables and resolves {{references}} between them', () => {
    const collection = {
      info: { name: 'Thredd REST API', schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json' },
      item: [],
      variable: [
        { key: 'host', value: 'https://api.thredd.com' },
        { key: 'baseUrl', value: '{{host}}/core/api/v1' },
        { key: 'clientId', value: CLIENT_ID },
        { key: 'clientSecret', value: SECRET_CANARY },
        { key: 'orgId', value: '{{missing}}' },
        { key: 'kid', value: 'old', disabled: true },
      ],
    };
    const result = importPostman(collection);
    const yaml = parse(result.config) as Record<string, unknown>;
    expect(result.name).toBe('Thredd REST API');
    expect(yaml).toMatchObject({ environment: 'production', organisationId: '${THREDD_ORG_ID}' });
    expect(result.ignored).toEqual([
      { variable: 'orgId', reason: 'refers to a Postman variable that is not in this export' },
      { variable: 'kid', reason: 'disabled in Postman' },
    ]);
    expect(result.unknown).toEqual(['host']);
    expectNoSecrets(result.config);
  });

  it.each([
    ['an array', []],
    ['a string', 'values'],
    ['an object without variables', { name: 'x', item: [] }],
  ])('rejects %s as not a Postman export', (_, document) => {
    expect(() => importPostman(document)).toThrow(PostmanFormatError);
  });

  it('reports a JSON syntax error by position, never quoting the text', () => {
    const text = `{\n  "values": [\n    { "key": "client_secret", "value": "${SECRET_CANARY}" ]\n}`;
    expect(() => parsePostmanJson(text)).toThrow(/^is not valid JSON: syntax error at line 3, column \d+$/);
    expect(() => parsePostmanJson(SECRET_CANARY)).toThrow(/^is not valid JSON/);
    try {
      parsePostmanJson(SECRET_CANARY);
    } catch (error) {
      expect((error as Error).message).not.toContain(SECRET_CANARY);
    }
    expect(() => parsePostmanJson('{"values": [')).toThrow(/cut short/);
    expect(parsePostmanJson('\uFEFF{"values": []}')).toEqual({ values: [] });
  });
});

// End-to-end through the built binary, in temporary folders, with a controlled environment.




const root = tempDir('golive-postman-');
let counter = 0;

async function caseDir(variables?: Variables, name = 'env.json'): Promise<string> {
  const dir = path.join(root, `case-${++counter}`);
  await mkdir(dir, { recursive: true });
  if (variables) await writeFile(path.join(dir, name), JSON.stringify(environment(variables), null, 2));
  return dir;
}

function fullExport(): Variables {
  return {
    client_id: CLIENT_ID,
    client_secret: SECRET_CANARY,
    kid: 'kid-portal-1',
    private_key: signing.keyPem.replace(/\n/g, '\\n'),
    certificate: signing.certPem,
    'x-region': '1',
    organisation_id: 'org-1234',
    ssa_id: 'ssa-42',
    base_url: 'https://uat-api.thredd.com',
    token_url: 'https://threddid.com/oauth2/token',
    publicToken: '102759761',
  };
}

describe.concurrent('golive init --from-postman (built binary)', () => {
  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build before these tests`);
  });

  it('writes the config and the key (0600), lists every decision, and never echoes a secret', async () => {
    const dir = await caseDir(fullExport());
    const result = await golive(['init', '--from-postman', 'env.json'], dir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const yaml = await readFile(path.join(dir, 'golive.yaml'), 'utf8');
    for (const text of [result.stdout, result.stderr, yaml]) expectNoSecrets(text);
    expect(await readFile(path.join(dir, 'certs/uat/signing.key'), 'utf8')).toBe(signing.keyPem);
    expect((await stat(path.join(dir, 'certs/uat/signing.key'))).mode & 0o777).toBe(0o600);
    expect(await readFile(path.join(dir, 'certs/uat/signing.pem'), 'utf8')).toBe(signing.certPem);
    expect(parse(yaml)).toMatchObject({
      environment: 'uat',
      connectivity: 'tls',
      region: 1,
      organisationId: 'org-1234',
      client: { id: CLIENT_ID, authMethod: 'private_key_jwt' },
      signing: { privateKey: 'certs/uat/signing.key', certificate: 'certs/uat/signing.pem', kid: 'kid-portal-1' },
    });
    expect(result.stdout).toMatch(/^Wrote certs\/uat\/signing\.key \(mode 0600\) from private_key; its content is not shown\.$/m);
    expect(result.stdout).toMatch(/^ {2}environment: uat\s+base_url https:\/\/uat-api\.thredd\.com is Thredd's UAT host$/m);
    expect(result.stdout).toMatch(/^ {2}client_secret\s+private_key_jwt does not use a client secret \(not written\)$/m);
    expect(result.stdout).toContain('unknown to golive (values not shown): publicToken');
    expect(result.stdout).not.toContain('102759761');
    expect(result.stdout).toMatch(/Next: golive check golive\.yaml\n$/);

    // The written config is a working one: the offline check passes on it.
    const check = await golive(['check', '--offline', '--format', 'json'], dir);
    const report = JSON.parse(check.stdout) as Report;
    const failed = report.runs[0]!.checks.filter((entry) => entry.status === 'fail');
    expect(failed, JSON.stringify(failed)).toEqual([]);
    expect(report.runs[0]!.checks.find((entry) => entry.id === 'signing.keypair')!.status).toBe('pass');
  });

  it('a client secret export asks the user to export THREDD_CLIENT_SECRET, without its value', async () => {
    const dir = await caseDir({ client_id: CLIENT_ID, client_secret: SECRET_CANARY, base_url: 'https://api.thredd.com', org_id: 'org-1' });
    const result = await golive(['init', 'prod.yaml', '--from-postman', 'env.json'], dir);
    expect(result.code).toBe(0);
    const yaml = await readFile(path.join(dir, 'prod.yaml'), 'utf8');
    for (const text of [result.stdout, result.stderr, yaml]) expectNoSecrets(text);
    expect(parse(yaml)).toMatchObject({ environment: 'production', client: { authMethod: 'client_secret_post', secret: '${THREDD_CLIENT_SECRET}' } });
    expect(result.stdout).toMatch(/^ {2}export THREDD_CLIENT_SECRET=\.\.\. {3}# the value of client_secret in Postman \(not shown here\)$/m);
  });

  it('refuses to overwrite any file it would write, and --force overwrites them all', async () => {
    const dir = await caseDir(fullExport());
    await mkdir(path.join(dir, 'certs/uat'), { recursive: true });
    await writeFile(path.join(dir, 'certs/uat/signing.key'), 'existing key', { mode: 0o644 });
    const refused = await golive(['init', '--from-postman', 'env.json'], dir);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/certs\/uat\/signing\.key already exists; nothing written\. Use --force/);
    expect(existsSync(path.join(dir, 'golive.yaml'))).toBe(false);
    expect(await readFile(path.join(dir, 'certs/uat/signing.key'), 'utf8')).toBe('existing key');

    const forced = await golive(['init', '--from-postman', 'env.json', '--force'], dir);
    expect(forced.code).toBe(0);
    expect(await readFile(path.join(dir, 'certs/uat/signing.key'), 'utf8')).toBe(signing.keyPem);
    expect((await stat(path.join(dir, 'certs/uat/signing.key'))).mode & 0o777).toBe(0o600);
  });

  it('an existing config file is not overwritten either', async () => {
    const dir = await caseDir({ client_id: CLIENT_ID });
    await writeFile(path.join(dir, 'golive.yaml'), 'mine\n');
    const result = await golive(['init', '--from-postman', 'env.json'], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^golive\.yaml already exists; nothing written/);
    expect(await readFile(path.join(dir, 'golive.yaml'), 'utf8')).toBe('mine\n');
  });

  it.each([
    ['malformed JSON', `{ "values": [ { "key": "client_secret", "value": "${SECRET_CANARY}" } }`, /--from-postman env\.json is not valid JSON: syntax error at line 1, column \d+/],
    ['JSON that is no Postman export', '{"openapi": "3.0.0"}', /--from-postman env\.json is not a Postman export/],
    ['an empty file', '', /--from-postman env\.json is empty/],
  ])('%s is a usage error (exit 2) that writes nothing', async (_, content, message) => {
    const dir = await caseDir();
    await writeFile(path.join(dir, 'env.json'), content);
    const result = await golive(['init', '--from-postman', 'env.json'], dir);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain('Run "golive init --help" for usage.');
    expectNoSecrets(result.stderr);
    expect(existsSync(path.join(dir, 'golive.yaml'))).toBe(false);
  });

  it.each([
    [['init', '--from-postman', 'nosuch.json'], /--from-postman nosuch\.json cannot be read \(ENOENT\)/],
    [['init', '--from-postman', 'env.json', '--stdout'], /--stdout does not combine with --from-postman/],
    [['init', '--from-postman', 'env.json', '--environment', 'prod'], /--environment must be one of uat, production; got prod/],
    [['init', '--from-postman'], /--from-postman/],
  ])('golive %j is a usage error', async (args, message) => {
    const dir = await caseDir({ client_id: CLIENT_ID });
    const result = await golive(args, dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});
