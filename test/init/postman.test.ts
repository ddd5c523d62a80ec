import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
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
import { runConfigChecks, tempDir, writeConfig } from '../support/config-files.js';
import { issue, type Issued } from '../support/credentials.js';
import { CLI, golive } from '../support/cli.js';
import { fixtureText } from '../support/fixtures.js';


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

/** A catalogue export (fixtures/documents/postman/NAME): its text, and the values it marks secret. */
function postmanExport(name: string): { text: string; secrets: string[] } {
  const text = fixtureText(`documents/postman/${name}`);
  const { values } = JSON.parse(text) as { values: { value: string; type: string }[] };
  return { text, secrets: values.filter(({ type }) => type === 'secret').map(({ value }) => value) };
}

/** Asserts no value the export marks secret is in `text`. */
function expectNoneOf(secrets: string[], text: string): void {
  expect(secrets.length).toBeGreaterThan(0);
  for (const secret of secrets) expect(text).not.toContain(secret);
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

  it('a client secret gives client_secret_post with ${THREDD_CLIENT_SECRET}, never the value (client_secret_post.postman_environment.json)', () => {
    const { text, secrets } = postmanExport('client_secret_post.postman_environment.json');
    const result = importPostman(parsePostmanJson(text));
    const yaml = parse(result.config) as Imported['yaml'];
    expect(yaml).toMatchObject({ environment: 'uat', region: 1, organisationId: '2d7e9b14-8c3f-4a61-b5d0-9e8f7a6b5c41' });
    expect(yaml.client).toEqual({ id: CLIENT_ID, authMethod: 'client_secret_post', secret: '${THREDD_CLIENT_SECRET}', scopes: ['cards:read'] });
    expect(result.exports).toEqual([{ name: 'THREDD_CLIENT_SECRET', from: 'client_secret' }]);
    expect(result.inferred).toContainEqual(expect.objectContaining({ field: 'client.authMethod', value: 'client_secret_post' }));
    for (const secret of secrets) expect(result.secrets).toContain(secret);
    expect(validate(yaml), JSON.stringify(validate.errors)).toBe(true);
    expectNoneOf(secrets, result.config);
    expectNoneOf(secrets, describePostmanImport(result, 'env.json', 'golive.yaml'));
  });

  it.each([
    ['uat', 'https://uat-api.thredd.com', { organisationId: 'THREDD_ORG_ID', clientId: 'THREDD_CLIENT_ID', secret: 'THREDD_CLIENT_SECRET', passphrase: 'SIGNING_KEY_PASSPHRASE' }],
    [
      'production',
      'https://api.thredd.com',
      { organisationId: 'THREDD_PROD_ORG_ID', clientId: 'THREDD_PROD_CLIENT_ID', secret: 'THREDD_PROD_CLIENT_SECRET', passphrase: 'PROD_SIGNING_KEY_PASSPHRASE' },
    ],
  ] as const)('a %s export (%s) writes that environment\'s variable names, so golive diff can tell the two apart', (environment, baseUrl, names) => {
    const withSecret = imported({ client_secret: SECRET_CANARY, base_url: baseUrl });
    expect(withSecret.yaml).toMatchObject({ environment, organisationId: `\${${names.organisationId}}`, client: { id: `\${${names.clientId}}`, secret: `\${${names.secret}}` } });
    expect(withSecret.exports).toEqual([{ name: names.secret, from: 'client_secret' }]);
    expect(withSecret.mapped).toContainEqual({ variable: 'client_secret', field: `client.secret (as \${${names.secret}})` });
    expect(withSecret.todo).toEqual([
      `organisationId: export ${names.organisationId} or edit the config (no organisation id variable in the export)`,
      `client.id: export ${names.clientId} or edit the config (no usable client_id variable in the export)`,
    ]);
    const withKey = imported({ private_key: signing.keyPem, passphrase: PASSPHRASE_CANARY, base_url: baseUrl });
    expect(withKey.yaml.signing).toMatchObject({ passphrase: `\${${names.passphrase}}` });
    expect(withKey.exports).toEqual([{ name: names.passphrase, from: 'passphrase' }]);
    expectNoSecrets(withSecret.config);
    expectNoSecrets(withKey.config);
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
    expect(result.yaml.client).toMatchObject({ authMethod: 'client_secret_basic', secret: '${THREDD_PROD_CLIENT_SECRET}' });
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
    expect(yaml).toMatchObject({ environment: 'production', organisationId: '${THREDD_PROD_ORG_ID}' });
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

describe('importPostman: {{references}}', () => {
  // Unknown variables to refer to: none is written itself.
  const referred = { host: 'h', a: '{{b}}', b: 'B', self: '{{self}}', v1: '{{v2}}', v2: '{{v3}}', v3: '{{v4}}', v4: '{{v5}}', v5: '{{v6}}', v6: 'end' };

  it.each([
    ['{{host}}/x', 'h/x'],
    ['{{ host }}', 'h'],
    ['{{host}}{{host}}', 'hh'],
    ['{{a}}', 'B'],
    ['{{v2}}', 'end'],
    ['}}{{host}}{{', '}}h{{'],
    ['{{host}', '{{host}'],
    ['{{}}', '{{}}'],
    ['{ {host}}', '{ {host}}'],
  ])('%s resolves to %s', (value, expected) => {
    expect(imported({ ...referred, kid: value }).yaml.signing).toMatchObject({ kid: expected });
  });

  it.each([['{{missing}}'], ['{{self}}'], ['{{v1}}'], ['{{{{host}}}}'], ['{{a{{host}}'], ['{{ }}']])('%s is left unresolved (missing, a cycle, six levels deep, or no name) and not used', (value) => {
    const result = imported({ ...referred, kid: value, private_key: signing.keyPem });
    expect(result.yaml.signing).not.toHaveProperty('kid');
    expect(result.ignored).toContainEqual({ variable: 'kid', reason: 'refers to a Postman variable that is not in this export' });
  });

  // Quadratic work on 1 MB takes minutes (37k `{` took 1.5 s); linear takes milliseconds.
  const MB = 1024 * 1024;
  it.each([
    ['a run of {', '{'.repeat(MB)],
    ['{{ never closed', `{{${'a'.repeat(MB)}`],
    ['{{a repeated', '{{a'.repeat(MB / 3)],
    ['{{a} repeated', '{{a}'.repeat(MB / 4)],
    ['{{ before one far }}', `${'{{'.repeat(MB / 2)}x}}`],
    ['{{host}} repeated', '{{host}}'.repeat(MB / 8)],
  ])('%s (1 MB) takes linear time', (_, value) => {
    const started = performance.now();
    const result = importPostman(environment({ host: 'h', client_id: value, base_url: value, kid: `{{host}}${value}` }));
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(result.mapped).toEqual([]);
  });

  it('references that multiply stop at a bound, listed, instead of growing without end', () => {
    const started = performance.now();
    const result = importPostman(environment({ a: '{{b}}'.repeat(2_000), b: '{{c}}'.repeat(2_000), c: 'x'.repeat(1_000), client_id: '{{a}}' }));
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(result.ignored).toContainEqual({ variable: 'client_id', reason: 'its {{references}} expand past 1,000,000 characters: not resolved' });
    expect(result.config.length).toBeLessThan(4_000);
  });
});

describe('importPostman: text from the export in the written config', () => {
  const dir = tempDir('golive-postman-text-');

  /** The config passes golive's own config.parse and config.schema, as `golive check` runs them. */
  async function expectParses(config: string): Promise<void> {
    const results = await runConfigChecks(writeConfig(dir, config));
    expect(results['config.parse'], JSON.stringify(results['config.parse'])).toMatchObject({ status: 'pass' });
    expect(results['config.schema'], JSON.stringify(results['config.schema'])).toMatchObject({ status: 'pass' });
  }

  const AWKWARD = [
    ['NUL', 'a\u0000b'],
    ['an escape sequence', 'a\u001b[31mb\u0007'],
    ['CR LF', 'a\r\nb'],
    ['backspace, tab and vertical tab', 'a\bb\tc\vd'],
    ['DEL and NEL', 'a\u007fb\u0085c'],
    ['line and paragraph separators', 'a\u2028b\u2029c'],
    ['a BOM', 'a\ufeffb'],
    ['a bidi override', 'a\u202eb'],
    ['a lone surrogate', 'a\ud800b'],
  ] as const;

  it.each(AWKWARD)('an environment name with %s becomes a one-line printable comment', async (_, text) => {
    const result = importPostman(environment({ private_key: signing.keyPem }, `Thredd ${text} UAT`));
    // Every character of these that is not printable ASCII is a control or format character: a space in the comment.
    const shown = text.replace(/[^\x20-\x7e]/g, ' ');
    expect(result.config.split('\n')[1]).toBe(`# Imported from the Postman environment "Thredd ${shown} UAT" by \`golive init --from-postman\`.`);
    await expectParses(result.config);
  });

  it.each(AWKWARD)('a value with %s is written escaped, on one printable line, and reads back exactly', async (_, text) => {
    const value = `id-${text}-1`;
    const result = imported({ client_id: value, kid: value, scope: value.replace(/\s/g, ''), private_key: signing.keyPem });
    expect(result.yaml.client.id).toBe(value);
    expect(result.yaml.signing).toMatchObject({ kid: value });
    for (const line of result.config.split('\n')) expect(line).toMatch(/^[\x20-\x7e]*$/);
    await expectParses(result.config);
  });

  it('a variable name with line breaks stays within its comment', async () => {
    const result = imported({ 'x\r\n-\u2028region': 'EMEA', private_key: signing.keyPem });
    expect(result.ignored).toContainEqual({ variable: 'x\r\n-\u2028region', reason: '"EMEA" is not a region (0, 1 or 2)' });
    expect(result.config).toMatch(/^region: 0 +# GUESSED: x {2}- region is not 0, 1 or 2; 0 Default, 1 EMEA, 2 APAC$/m);
    expect(result.yaml).toMatchObject({ region: 0 });
    await expectParses(result.config);
  });

  it('a long name is cut short in the comment, and a value too long for any field is not written', async () => {
    const long = 'a'.repeat(300_000);
    const result = importPostman(
      environment({ client_id: long, organisation_id: long, kid: long, audience: long, scope: long, token_url: `https://${long}.example`, certificate: `./${long}.pem`, private_key: signing.keyPem }, long),
    );
    expect(result.config.split('\n')[1]).toBe(`# Imported from the Postman environment "${'a'.repeat(120)}…" by \`golive init --from-postman\`.`);
    for (const variable of ['client_id', 'organisation_id', 'kid', 'audience', 'scope', 'certificate']) {
      expect(result.ignored).toContainEqual({ variable, reason: expect.stringMatching(/^\d+ characters: too long for /) });
    }
    expect(result.config.length).toBeLessThan(4_000);
    await expectParses(result.config);
  });
});

describe('importPostman: {{references}} to secrets are not written in clear', () => {
  /** Every text the import writes or prints, but the key files: no secret may be in any. */
  function expectNoSecretsOutsideKeyFiles(result: PostmanImport): void {
    expectNoSecrets(result.config);
    expectNoSecrets(describePostmanImport(result, 'env.json', 'golive.yaml'));
    expectNoSecrets(JSON.stringify({ ...result, config: '', files: [], secrets: [] }));
    for (const file of result.files) {
      if (file.mode === 0o600) {
        expect(file.content).not.toContain(SECRET_CANARY);
        expect(file.content).not.toContain(PASSPHRASE_CANARY);
      } else expectNoSecrets(file.content);
    }
  }

  it('client_id = "{{ client_secret }}" is not used: client.id stays ${THREDD_CLIENT_ID}, and that is listed', () => {
    const result = imported({ client_id: '{{ client_secret }}', client_secret: SECRET_CANARY, base_url: 'https://uat-api.thredd.com' });
    expect(result.yaml.client).toEqual({ id: '${THREDD_CLIENT_ID}', authMethod: 'client_secret_post', secret: '${THREDD_CLIENT_SECRET}', scopes: [] });
    expect(result.ignored).toContainEqual({ variable: 'client_id', reason: 'refers to client_secret, a secret: not copied into client.id' });
    expect(result.todo).toContainEqual(expect.stringMatching(/^client\.id: export THREDD_CLIENT_ID/));
    expect(result.secrets).toContain(SECRET_CANARY);
    expectNoSecretsOutsideKeyFiles(result);
  });

  it('transport_private_key = "{{passphrase}}" writes no key file: the passphrase stays ${SIGNING_KEY_PASSPHRASE}', () => {
    const result = imported({ transport_private_key: '{{passphrase}}', passphrase: PASSPHRASE_CANARY, private_key: signing.keyPem, base_url: 'https://uat-mtls.thredd.com' });
    expect(result.yaml).toMatchObject({ connectivity: 'mtls', transport: { privateKey: 'certs/uat/transport.key' }, signing: { passphrase: '${SIGNING_KEY_PASSPHRASE}' } });
    expect(result.files.map((file) => file.path)).toEqual(['certs/uat/signing.key']);
    expect(result.ignored).toContainEqual({ variable: 'transport_private_key', reason: 'refers to passphrase, a secret that is not a private key: not written to a key file' });
    expect(result.todo).toContainEqual(expect.stringMatching(/^transport\.privateKey: save the mTLS transport key/));
    expect(result.secrets).toContain(PASSPHRASE_CANARY);
    expectNoSecretsOutsideKeyFiles(result);
  });

  it.each([
    ['client_id', 'x-{{alias}}', 'client_secret'],
    ['kid', '{{db_password}}', 'db_password'],
    ['audience', '{{api_token}}', 'api_token'],
    ['organisation_id', '{{custom}}', 'custom'],
    ['x-region', '{{client_secret}}', 'client_secret'],
    ['base_url', 'https://{{client_secret}}.example', 'client_secret'],
    ['certificate', '{{private_key}}', 'private_key'],
    ['private_key', '{{client_secret}}', 'client_secret'],
  ])('%s = "%s" is not used: it takes a secret', (key, value, source) => {
    const variables = { alias: '{{client_secret}}', db_password: SECRET_CANARY, api_token: SECRET_CANARY, custom: SECRET_CANARY, client_secret: SECRET_CANARY, private_key: signing.keyPem, [key]: value };
    // `custom` is secret only because Postman says so.
    const document = { name: 'x', values: Object.entries(variables).map(([name, text]) => ({ key: name, value: text, enabled: true, type: name === 'custom' ? 'secret' : 'default' })) };
    const result = importPostman(document, { authMethod: 'private_key_jwt' });
    expect(result.ignored).toContainEqual({ variable: key, reason: expect.stringMatching(new RegExp(`^refers to ${source}, a secret`)) });
    expect(result.mapped.map(({ variable }) => variable)).not.toContain(key);
    expectNoSecretsOutsideKeyFiles(result);
    if (key === 'certificate') {
      expect(result.files.find((file) => file.path === 'certs/uat/signing.pem')).toBeUndefined();
      expect(result.files.filter((file) => file.content.includes('PRIVATE KEY')).map((file) => file.path)).toEqual(['certs/uat/signing.key']);
    }
  });

  it('a private key may come through a reference to another key: it goes to its key file only', () => {
    const result = imported({ private_key: signing.keyPem, transport_private_key: '{{private_key}}', base_url: 'https://uat-mtls.thredd.com' });
    expect(result.files).toEqual([
      { path: 'certs/uat/signing.key', content: signing.keyPem, mode: 0o600, from: 'private_key' },
      { path: 'certs/uat/transport.key', content: signing.keyPem, mode: 0o600, from: 'transport_private_key' },
    ]);
    expectNoSecrets(result.config);
  });

  it('a secret may refer to a secret: neither is written, both are exported', () => {
    const result = imported({ client_secret: '{{vault_secret}}', vault_secret: SECRET_CANARY, base_url: 'https://uat-api.thredd.com' });
    expect(result.yaml.client).toMatchObject({ secret: '${THREDD_CLIENT_SECRET}' });
    expect(result.exports).toEqual([{ name: 'THREDD_CLIENT_SECRET', from: 'client_secret' }]);
    expectNoSecretsOutsideKeyFiles(result);
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

  it('a Production client secret export asks the user to export THREDD_PROD_CLIENT_SECRET, without its value (client_secret_basic.postman_environment.json)', async () => {
    const { text, secrets } = postmanExport('client_secret_basic.postman_environment.json');
    const dir = await caseDir();
    await writeFile(path.join(dir, 'env.json'), text);
    const result = await golive(['init', 'prod.yaml', '--from-postman', 'env.json', '--auth-method', 'client_secret_basic'], dir);
    expect(result.code).toBe(0);
    const yaml = await readFile(path.join(dir, 'prod.yaml'), 'utf8');
    for (const output of [result.stdout, result.stderr, yaml]) expectNoneOf(secrets, output);
    expect(parse(yaml)).toMatchObject({ environment: 'production', client: { authMethod: 'client_secret_basic', secret: '${THREDD_PROD_CLIENT_SECRET}' } });
    expect(result.stdout).toMatch(/^ {2}export THREDD_PROD_CLIENT_SECRET=\.\.\. {3}# the value of clientSecret in Postman \(not shown here\)$/m);
  });

  it('names from the export reach the terminal without their escape sequences', async () => {
    const hostile = 'x\u001b]0;pwned\u0007\u001b[2J\u202e';
    const dir = await caseDir({ client_id: CLIENT_ID, client_secret: SECRET_CANARY, base_url: 'https://uat-api.thredd.com', [`extra${hostile}`]: 'v' });
    const result = await golive(['init', 'golive.yaml', '--from-postman', 'env.json'], dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('extrax?]0;pwned??[2J?');
    expect(result.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/);
  });

  it('{{references}} to a secret put it in no file and no output: client_id = {{ client_secret }}, transport_private_key = {{passphrase}}', async () => {
    const dir = await caseDir({
      client_id: '{{ client_secret }}',
      client_secret: SECRET_CANARY,
      transport_private_key: '{{passphrase}}',
      passphrase: PASSPHRASE_CANARY,
      private_key: signing.keyPem,
      base_url: 'https://uat-mtls.thredd.com',
    });
    const result = await golive(['init', '--from-postman', 'env.json'], dir);
    expect(result.code).toBe(0);
    for (const text of [result.stdout, result.stderr]) expectNoSecrets(text);
    expect(result.stdout).toMatch(/^ {2}client_id\s+refers to client_secret, a secret: not copied into client\.id$/m);
    expect(result.stdout).toMatch(/^ {2}transport_private_key\s+refers to passphrase, a secret that is not a private key: not written to a key file$/m);
    const written = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile() && entry.name !== 'env.json');
    const names = written.map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name))).sort();
    expect(names).toEqual(['certs/uat/signing.key', 'golive.yaml']);
    for (const name of names) {
      const content = await readFile(path.join(dir, name), 'utf8');
      // The signing key is the one secret with a place of its own.
      if (name === 'certs/uat/signing.key') expect(content).toBe(signing.keyPem);
      else expectNoSecrets(content);
    }
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
