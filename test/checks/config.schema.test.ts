import { describe, expect, it } from 'vitest';
import { runConfigChecks, tempDir, VALID_JWT_CONFIG, writeConfig } from '../support/config-files.js';
import { fixturePath } from '../support/fixtures.js';

const dir = tempDir();

async function schemaResult(text: string, name?: string) {
  return schemaResultOf(writeConfig(dir, text, { name }));
}

async function schemaResultOf(file: string) {
  const results = await runConfigChecks(file);
  expect(results['config.parse']?.status).toBe('pass');
  return results['config.schema']!;
}

describe('config.schema', () => {
  it('passes a valid config', async () => {
    expect((await schemaResult(VALID_JWT_CONFIG)).status).toBe('pass');
  });

  it('passes a valid custom-profile secret config in JSON', async () => {
    const json = JSON.stringify({
      profile: 'custom',
      environment: 'uat',
      connectivity: 'tls',
      client: { id: 'abc', authMethod: 'client_secret_basic', secret: '${SECRET}' },
      endpoints: { token: 'https://a/token', jwks: 'https://a/jwks', api: 'https://a' },
    });
    expect((await schemaResult(json, 'c.json')).status).toBe('pass');
  });

  const cases: { name: string; code: string; message: RegExp[]; hint: RegExp; text?: string; fixture?: string; location?: Record<string, unknown> }[] = [
    {
      name: 'a misspelt top-level key (unknown-key-organizationId.yaml)',
      code: 'unknown-key',
      fixture: 'unknown-key-organizationId.yaml',
      message: [/unknown key "organizationId" at the top level; did you mean "organisationId"\?/, /unknown-key-organizationId\.yaml:7:1/],
      hint: /Rename the key organizationId to organisationId/,
      location: { line: 7, column: 1, path: 'organizationId' },
    },
    {
      name: 'a misspelt nested key',
      code: 'unknown-key',
      text: VALID_JWT_CONFIG.replace('authMethod:', 'authMetod:'),
      message: [/unknown key "authMetod" in client; did you mean "authMethod"\?/],
      hint: /Rename the key authMetod to authMethod/,
    },
    {
      name: 'a wrong enum value (environment-prod.yaml)',
      code: 'not-allowed-value',
      fixture: 'environment-prod.yaml',
      message: [/environment must be one of uat, production; got "prod"/, /environment-prod\.yaml:4:14/],
      hint: /^Set environment to one of uat, production\. `golive schema config` prints every allowed key and value\.$/,
      location: { line: 4, column: 14 },
    },
    {
      name: 'a typo in an enum value',
      code: 'not-allowed-value',
      text: VALID_JWT_CONFIG.replace('authMethod: private_key_jwt', 'authMethod: private_key_jw'),
      message: [/client\.authMethod must be one of client_secret_post, client_secret_basic, private_key_jwt/, /did you mean "private_key_jwt"/],
      hint: /Set client\.authMethod to private_key_jwt/,
    },
    {
      name: 'a region out of range',
      code: 'not-allowed-value',
      text: VALID_JWT_CONFIG.replace('region: 0', 'region: 7'),
      message: [/region must be 0 \(Default\), 1 \(EMEA\) or 2 \(APAC\), or a \$\{VAR\}; got 7/],
      hint: /^Write the region as its number: 0, 1 or 2\. `golive schema config`/,
    },
    {
      name: 'private_key_jwt without signing (private-key-jwt-without-signing.yaml)',
      code: 'missing-field',
      fixture: 'private-key-jwt-without-signing.yaml',
      message: [/private_key_jwt, which needs a signing section/],
      hint: /^Add the key signing\. `golive schema config`/,
    },
    {
      name: 'a secret client without a secret',
      code: 'missing-field',
      text: VALID_JWT_CONFIG.split('signing:')[0]!.replace('private_key_jwt', 'client_secret_post'),
      message: [/client_secret_post, which needs client\.secret/],
      hint: /^Add the key client\.secret\. `golive schema config`/,
    },
    {
      name: 'a custom profile without endpoints',
      code: 'missing-field',
      text: VALID_JWT_CONFIG.replace('profile: thredd', 'profile: custom'),
      message: [/profile custom needs endpoints\.token, endpoints\.jwks and endpoints\.api/],
      hint: /^Add the key endpoints\. `golive schema config`/,
    },
    {
      name: 'the thredd profile without organisationId',
      code: 'missing-field',
      text: VALID_JWT_CONFIG.replace('organisationId: "${THREDD_ORG_ID}"\n', ''),
      message: [/thredd profile needs organisationId/],
      hint: /^Add the key organisationId\. `golive schema config`/,
    },
    {
      name: 'a wrong type',
      code: 'wrong-type',
      text: VALID_JWT_CONFIG.replace('client:\n', 'client: 5\nx:\n'),
      message: [/^2 problems in golive\.yaml, one per line:\ngolive\.yaml:6:9 client must be a mapping of keys; got number\. Write client as a mapping of keys\.\n/],
      hint: /^Fix each line as it says\. `golive schema config` prints every allowed key and value\.$/,
    },
    {
      name: 'a probe path without a slash',
      code: 'wrong-format',
      text: `${VALID_JWT_CONFIG}probe:\n  path: core/api\n`,
      message: [/probe\.path must start with "\/"; got "core\/api"/],
      hint: /^Start probe\.path with "\/"\. `golive schema config`/,
    },
    {
      name: 'a top-level list',
      code: 'wrong-type',
      text: '- a\n- b\n',
      message: [/the config must be a mapping of keys; got a list/],
      hint: /^Write the config as a mapping of keys\. `golive schema config`/,
    },
    {
      name: 'an empty certificate path',
      code: 'empty-value',
      text: VALID_JWT_CONFIG.replace('certificate: certs/signing.pem', 'certificate: ""'),
      message: [/signing\.certificate must not be empty/],
      hint: /^Give signing\.certificate a value\. `golive schema config`/,
    },
    {
      name: 'a probe expecting no status (expect-status-empty.yaml)',
      code: 'too-few-items',
      fixture: 'expect-status-empty.yaml',
      message: [/probe\.expectStatus must list at least 1 item\(s\)/],
      hint: /^Add items to probe\.expectStatus\. `golive schema config`/,
    },
    {
      name: 'a timeout below the minimum',
      code: 'invalid-value',
      text: `${VALID_JWT_CONFIG}http:\n  timeoutMs: 5\n`,
      message: [/http\.timeoutMs must be >= 100; got 5/],
      hint: /^Change http\.timeoutMs to meet that rule\. `golive schema config`/,
    },
  ];

  it.each(cases)('fails on $name', async ({ text, fixture, code, message, hint, location }) => {
    const result = fixture ? await schemaResultOf(fixturePath(`configs/broken/${fixture}`)) : await schemaResult(text!);
    expect(result.status).toBe('fail');
    expect(result.code).toBe(code);
    for (const pattern of message) expect(result.message).toMatch(pattern);
    expect(result.hint).toMatch(hint);
    if (location) expect(result.evidence?.location).toMatchObject(location);
  });

  it('reports one problem per cause, not a cascade', async () => {
    const text = VALID_JWT_CONFIG.replace('region: 0', 'region: "x"').replace('clinet', 'client').replace('client:', 'clinet:');
    const result = await schemaResult(text);
    const errors = result.evidence?.errors as unknown[];
    // region, and the typo "clinet" (not also a missing "client"); no anyOf/if noise.
    expect(errors).toHaveLength(2);
    expect(result.code).toBe('not-allowed-value');
    expect(result.evidence?.codes).toEqual(['not-allowed-value', 'unknown-key']);
    expect(result.message).toMatch(/^2 problems in golive\.yaml, one per line:\ngolive\.yaml:4:9 region .*\ngolive\.yaml:6:1 unknown key "clinet"[^\n]*$/);
  });

  it('lists three problems one per line, each with its line:column and its own hint', async () => {
    const text = VALID_JWT_CONFIG.replace('environment: uat', 'environment: prod').replace('authMethod:', 'authMetod:');
    const result = await schemaResult(`${text}probe:\n  expectStatus: 200\n`);
    expect(result).toMatchObject({ status: 'fail', code: 'not-allowed-value' });
    expect(result.message!.split('\n')).toEqual([
      '3 problems in golive.yaml, one per line:',
      'golive.yaml:2:14 environment must be one of uat, production; got "prod". Set environment to one of uat, production.',
      'golive.yaml:8:3 unknown key "authMetod" in client; did you mean "authMethod"? Rename the key authMetod to authMethod.',
      'golive.yaml:14:17 probe.expectStatus must be a list; got number. Write probe.expectStatus as a list.',
    ]);
    expect(result.hint).toBe('Fix each line as it says. `golive schema config` prints every allowed key and value.');
    expect(result.evidence?.codes).toEqual(['not-allowed-value', 'unknown-key', 'wrong-type']);
    expect(result.evidence?.location).toMatchObject({ line: 2, column: 14, path: 'environment' });
  });

  it('hints an unknown key without a likely intended key: remove or move it', async () => {
    const result = await schemaResult(`${VALID_JWT_CONFIG}zzzqqq: 1\n`);
    expect(result).toMatchObject({ status: 'fail', code: 'unknown-key' });
    expect(result.message).toMatch(/^golive\.yaml:\d+:1 unknown key "zzzqqq" at the top level; allowed keys: \$schema, profile, /);
    expect(result.hint).toBe('Remove the key "zzzqqq", or move it to where it belongs. `golive schema config` prints every allowed key and value.');
  });

  it('never shows the value of a secret field', async () => {
    const text = VALID_JWT_CONFIG.replace('signing:', 'signing:\n  passphrase: 12345').replace(
      '  privateKey: certs/signing.key',
      '  privateKey: certs/signing.key',
    );
    const result = await schemaResult(text);
    expect(result).toMatchObject({ status: 'fail', code: 'wrong-type' });
    expect(result.evidence).not.toHaveProperty('codes');
    expect(result.message).toMatch(/signing\.passphrase must be a string; got number/);
    expect(JSON.stringify(result)).not.toContain('12345');
  });
});
