import { describe, expect, it } from 'vitest';
import { runConfigChecks, tempDir, VALID_JWT_CONFIG, writeConfig } from '../support/config-files.js';

const dir = tempDir();

async function schemaResult(text: string, name?: string) {
  const results = await runConfigChecks(writeConfig(dir, text, { name }));
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

  const cases = [
    {
      name: 'a misspelt top-level key',
      code: 'unknown-key',
      text: VALID_JWT_CONFIG.replace('client:', 'clinet:'),
      message: [/unknown key "clinet" at the top level; did you mean "client"\?/, /golive\.yaml:6:1/],
      hint: /Rename the key clinet to client/,
      location: { line: 6, column: 1, path: 'clinet' },
    },
    {
      name: 'a misspelt nested key',
      code: 'unknown-key',
      text: VALID_JWT_CONFIG.replace('authMethod:', 'authMetod:'),
      message: [/unknown key "authMetod" in client; did you mean "authMethod"\?/],
      hint: /Rename the key authMetod to authMethod/,
    },
    {
      name: 'a wrong enum value',
      code: 'not-allowed-value',
      text: VALID_JWT_CONFIG.replace('environment: uat', 'environment: prod'),
      message: [/environment must be one of uat, production; got "prod"/, /golive\.yaml:2:14/],
      hint: /golive schema config/,
      location: { line: 2, column: 14 },
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
      hint: /golive schema config/,
    },
    {
      name: 'private_key_jwt without signing',
      code: 'missing-field',
      text: VALID_JWT_CONFIG.split('signing:')[0]!,
      message: [/private_key_jwt, which needs a signing section/],
      hint: /golive schema config/,
    },
    {
      name: 'a secret client without a secret',
      code: 'missing-field',
      text: VALID_JWT_CONFIG.split('signing:')[0]!.replace('private_key_jwt', 'client_secret_post'),
      message: [/client_secret_post, which needs client\.secret/],
      hint: /golive schema config/,
    },
    {
      name: 'a custom profile without endpoints',
      code: 'missing-field',
      text: VALID_JWT_CONFIG.replace('profile: thredd', 'profile: custom'),
      message: [/profile custom needs endpoints\.token, endpoints\.jwks and endpoints\.api/],
      hint: /golive schema config/,
    },
    {
      name: 'the thredd profile without organisationId',
      code: 'missing-field',
      text: VALID_JWT_CONFIG.replace('organisationId: "${THREDD_ORG_ID}"\n', ''),
      message: [/thredd profile needs organisationId/],
      hint: /golive schema config/,
    },
    {
      name: 'a wrong type',
      code: 'wrong-type',
      text: VALID_JWT_CONFIG.replace('client:\n', 'client: 5\nx:\n'),
      message: [/client must be a mapping of keys; got number/],
      hint: /^Fix the keys named above; `golive schema config` prints/,
    },
    {
      name: 'a probe path without a slash',
      code: 'wrong-format',
      text: `${VALID_JWT_CONFIG}probe:\n  path: core/api\n`,
      message: [/probe\.path must start with "\/"; got "core\/api"/],
      hint: /^Fix the keys named above/,
    },
    {
      name: 'a top-level list',
      code: 'wrong-type',
      text: '- a\n- b\n',
      message: [/the config must be a mapping of keys; got a list/],
      hint: /^Fix the keys named above/,
    },
    {
      name: 'an empty certificate path',
      code: 'empty-value',
      text: VALID_JWT_CONFIG.replace('certificate: certs/signing.pem', 'certificate: ""'),
      message: [/signing\.certificate must not be empty/],
      hint: /^Fix the keys named above/,
    },
    {
      name: 'a probe expecting no status',
      code: 'too-few-items',
      text: `${VALID_JWT_CONFIG}probe:\n  expectStatus: []\n`,
      message: [/probe\.expectStatus must list at least 1 item\(s\)/],
      hint: /^Fix the keys named above/,
    },
    {
      name: 'a timeout below the minimum',
      code: 'invalid-value',
      text: `${VALID_JWT_CONFIG}http:\n  timeoutMs: 5\n`,
      message: [/http\.timeoutMs must be >= 100; got 5/],
      hint: /^Fix the keys named above/,
    },
  ];

  it.each(cases)('fails on $name', async ({ text, code, message, hint, location }) => {
    const result = await schemaResult(text);
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
    expect(result.message).toMatch(/^2 problems in golive\.yaml: \(1\) golive\.yaml:4:9 region .*\(2\) golive\.yaml:6:1 unknown key "clinet"/);
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
