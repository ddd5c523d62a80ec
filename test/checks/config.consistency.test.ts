import { describe, expect, it } from 'vitest';
import { runConfigChecks, SIGNING_FILES, tempDir, VALID_ENV, VALID_JWT_CONFIG, writeConfig } from '../support/config-files.js';
import { fixtureEnv, useFixtureWorkspace } from '../support/fixtures.js';

const dir = tempDir();
const fixtures = useFixtureWorkspace();

async function consistency(text: string) {
  const file = writeConfig(dir, text, {
    files: { ...SIGNING_FILES, 'certs/transport.pem': 'x', 'certs/transport.key': 'y' },
  });
  const results = await runConfigChecks(file, VALID_ENV);
  expect(results['config.references']?.status).toBe('pass');
  return results['config.consistency']!;
}

/** config.consistency on a catalogue config (fixtures/configs/broken/NAME), its keys generated, with fixtures.env. */
async function catalogued(name: string) {
  const results = await runConfigChecks(fixtures.path(`configs/broken/${name}`), fixtureEnv());
  expect(results['config.references']?.status).toBe('pass');
  return results['config.consistency']!;
}

const TRANSPORT = 'transport:\n  certificate: certs/transport.pem\n  privateKey: certs/transport.key\n';

describe('config.consistency', () => {
  it('passes a UAT TLS config on the derived hosts', async () => {
    const result = await consistency(VALID_JWT_CONFIG);
    expect(result.status).toBe('pass');
    expect(result.evidence).toMatchObject({ region: '0 (Default)', environment: 'uat' });
  });

  it('passes a Production mTLS config with a transport section', async () => {
    const text = VALID_JWT_CONFIG.replace('environment: uat', 'environment: production').replace('connectivity: tls', 'connectivity: mtls') + TRANSPORT;
    const result = await consistency(text);
    expect(result.status).toBe('pass');
    expect((result.evidence?.endpoints as { api: string }).api).toBe('https://mtls.thredd.com');
  });

  const cases: { name: string; code: string; status: string; message: RegExp; hint: RegExp; text?: string; fixture?: string }[] = [
    {
      name: 'a Production config pointing at the UAT API host',
      code: 'environment-host-mismatch',
      text: VALID_JWT_CONFIG.replace('environment: uat', 'environment: production') + 'endpoints:\n  api: https://uat-api.thredd.com\n',
      status: 'fail',
      message: /environment is production but the API host https:\/\/uat-api\.thredd\.com is Thredd's UAT host/,
      hint: /Use https:\/\/api\.thredd\.com for production/,
    },
    {
      name: 'a UAT config pointing at the Production API host (environment-host-mismatch.yaml)',
      code: 'environment-host-mismatch',
      fixture: 'environment-host-mismatch.yaml',
      status: 'fail',
      message: /environment is uat but the API host https:\/\/api\.thredd\.com is Thredd's PRODUCTION host/,
      hint: /Use https:\/\/uat-api\.thredd\.com for uat/,
    },
    {
      name: 'an mTLS config on the TLS host (connectivity-host-mismatch.yaml)',
      code: 'connectivity-host-mismatch',
      fixture: 'connectivity-host-mismatch.yaml',
      status: 'fail',
      message: /connectivity is mtls but the API host https:\/\/uat-api\.thredd\.com is Thredd's tls host/,
      hint: /Use https:\/\/uat-mtls\.thredd\.com for mtls/,
    },
    {
      name: 'mtls without a transport certificate (mtls-without-transport.yaml)',
      code: 'mtls-without-transport',
      fixture: 'mtls-without-transport.yaml',
      status: 'fail',
      message: /connectivity is mtls but there is no transport section/,
      hint: /Add transport\.certificate and transport\.privateKey/,
    },
    {
      name: 'a plain-http token endpoint',
      code: 'not-https',
      text: VALID_JWT_CONFIG + 'endpoints:\n  token: http://threddid.com/oauth2/token\n',
      status: 'fail',
      message: /endpoints\.token http:\/\/threddid\.com is not https/,
      hint: /Use the https URL for endpoints\.token/,
    },
    {
      name: 'a Production config with a sandbox token host (test-host-in-production.yaml)',
      code: 'test-host-in-production',
      fixture: 'test-host-in-production.yaml',
      status: 'fail',
      message: /endpoints\.token points at sandbox\.threddid\.com, a UAT\/test host/,
      hint: /Use the Production URL for endpoints\.token/,
    },
    {
      name: 'an endpoint that is not a URL',
      code: 'not-a-url',
      text: VALID_JWT_CONFIG + 'endpoints:\n  api: not a url\n',
      status: 'fail',
      message: /endpoints\.api "not a url" is not a URL/,
      hint: /full URL/,
    },
    {
      name: 'a plain-http JWKS on a third-party host (jwks-plain-http.yaml)',
      code: 'plain-http-jwks',
      fixture: 'jwks-plain-http.yaml',
      status: 'warn',
      message: /^endpoints\.jwks http:\/\/keys\.example\.com is plain http/,
      hint: /Use https for endpoints\.jwks/,
    },
    {
      name: 'a transport section on a TLS config (transport-unused.yaml)',
      code: 'transport-unused',
      fixture: 'transport-unused.yaml',
      status: 'warn',
      message: /connectivity is tls, so the transport section is not used/,
      hint: /Remove transport/,
    },
    {
      name: 'credentials in the token URL (credentials-in-url.yaml)',
      code: 'credentials-in-url',
      fixture: 'credentials-in-url.yaml',
      status: 'fail',
      message: /^endpoints\.token carries credentials in the URL\.$/,
      hint: /Remove the user:password part from endpoints\.token/,
    },
    {
      name: 'a JWKS URL that is neither http nor https (jwks-file-url.yaml)',
      code: 'unsupported-scheme',
      fixture: 'jwks-file-url.yaml',
      status: 'fail',
      message: /^endpoints\.jwks uses file:; only http and https are fetched\.$/,
      hint: /Point endpoints\.jwks at the organisation JWKS URL/,
    },
    {
      name: 'a secret client with a signing section (signing-unused.yaml)',
      code: 'signing-unused',
      fixture: 'signing-unused.yaml',
      status: 'warn',
      message: /^client\.authMethod is client_secret_post, so the signing section is not used\.$/,
      hint: /Remove signing/,
    },
    {
      name: 'a private_key_jwt client with a secret (secret-unused.yaml)',
      code: 'secret-unused',
      fixture: 'secret-unused.yaml',
      status: 'warn',
      message: /^client\.authMethod is private_key_jwt, so client\.secret is not used\.$/,
      hint: /Remove client\.secret/,
    },
  ];

  it.each(cases)('$status on $name', async ({ text, fixture, code, status, message, hint }) => {
    const result = fixture ? await catalogued(fixture) : await consistency(text!);
    expect(result.status).toBe(status);
    expect(result.code).toBe(code);
    expect((result.evidence?.findings as unknown[])[0]).toMatchObject({ severity: status, code });
    expect(result.message).toMatch(message);
    expect(result.hint).toMatch(hint);
  });

  it('leads with a failure and lists the warnings beside it, each with its code', async () => {
    const result = await consistency(VALID_JWT_CONFIG.replace('connectivity: tls', 'connectivity: mtls') + 'endpoints:\n  jwks: http://keys.example.com/jwks.json\n');
    expect(result).toMatchObject({ status: 'fail', code: 'mtls-without-transport' });
    expect(result.message).toBe('connectivity is mtls but there is no transport section with the client certificate.');
    expect(result.evidence?.findings).toEqual([
      { severity: 'fail', code: 'mtls-without-transport', field: 'connectivity', message: expect.stringMatching(/^connectivity is mtls/) },
      { severity: 'warn', code: 'plain-http-jwks', field: 'endpoints.jwks', message: expect.stringMatching(/is plain http/) },
    ]);
  });

  it('accepts Thredd’s own plain-http JWKS host without a warning', async () => {
    const result = await consistency(VALID_JWT_CONFIG);
    expect((result.evidence?.endpoints as { jwks: string }).jwks).toMatch(/^http:\/\/jwks\.threddid\.com\//);
    expect(result.status).toBe('pass');
  });
});

/** Values pasted from a portal or an env file bring characters nobody sees; the platform compares them exactly. */
describe('config.consistency on pasted values', () => {
  const CANARY_SECRET = 'CanaryPastedSecret-7Hq2Lm9Xv';
  const SECRET_CONFIG = VALID_JWT_CONFIG.replace('authMethod: private_key_jwt', 'authMethod: client_secret_post\n  secret: "${THREDD_CLIENT_SECRET}"').replace(
    /signing:[\s\S]*$/,
    '',
  );
  const JWT_WITH_KID = `${VALID_JWT_CONFIG}  kid: "\${SIGNING_KID}"\n`;

  async function pasted(text: string, env: Record<string, string>) {
    const file = writeConfig(dir, text, { files: SIGNING_FILES });
    const results = await runConfigChecks(file, { ...VALID_ENV, ...env });
    expect(results['config.references']?.status).toBe('pass');
    return results['config.consistency']!;
  }

  it.each([
    ['a client id with a trailing line break', JWT_WITH_KID, { THREDD_CLIENT_ID: `${VALID_ENV.THREDD_CLIENT_ID}\n`, SIGNING_KID: 'kid-1' }, `client.id "${VALID_ENV.THREDD_CLIENT_ID}\\n" ends with a line break ("\\n")`, 'client.id'],
    ['an organisation id with a leading space', JWT_WITH_KID, { THREDD_ORG_ID: ' org-123', SIGNING_KID: 'kid-1' }, 'organisationId " org-123" starts with a space', 'organisationId'],
    ['a kid with CRLF', JWT_WITH_KID, { SIGNING_KID: 'kid-1\r\n' }, 'signing.kid "kid-1\\r\\n" ends with a line break ("\\r\\n")', 'signing.kid'],
    ['a kid with a zero-width space inside', JWT_WITH_KID, { SIGNING_KID: 'kid\u200b-1' }, 'signing.kid "kid\\u200b-1" holds an invisible character', 'signing.kid'],
    ['a client id with a tab and a no-break space', JWT_WITH_KID, { THREDD_CLIENT_ID: `\t${VALID_ENV.THREDD_CLIENT_ID}\u00a0`, SIGNING_KID: 'kid-1' }, `client.id "\\t${VALID_ENV.THREDD_CLIENT_ID}\\u00a0" starts with a tab ("\\t") and ends with a no-break space ("\\u00a0")`, 'client.id'],
  ])('warns on %s, shown escaped', async (_name, text, env, message, field) => {
    const result = await pasted(text, env);
    expect(result).toMatchObject({ status: 'warn', code: 'pasted-whitespace' });
    expect(result.message).toBe(`${message}.`);
    expect(result.message).not.toMatch(/[\n\r\t\u00a0\u200b]/);
    expect(result.hint).toMatch(/^Remove the unseen characters where each value comes from \(the variable, the env file: check quotes and CRLF line ends, or the config\): golive sends values exactly as given, so /);
    expect(result.evidence).toMatchObject({ location: { path: field }, findings: [{ severity: 'warn', code: 'pasted-whitespace', field }] });
  });

  it('names each pasted value once, the secret by its length only', async () => {
    const result = await pasted(SECRET_CONFIG, {
      THREDD_CLIENT_SECRET: `${CANARY_SECRET}\n`,
      THREDD_CLIENT_ID: ` ${VALID_ENV.THREDD_CLIENT_ID}`,
      THREDD_ORG_ID: 'org-123\n',
    });
    expect(result).toMatchObject({ status: 'warn', code: 'pasted-whitespace' });
    expect(result.message).toBe(
      `organisationId "org-123\\n" ends with a line break ("\\n"), client.id " ${VALID_ENV.THREDD_CLIENT_ID}" starts with a space, and client.secret (${CANARY_SECRET.length + 1} characters) ends with a line break.`,
    );
    expect(result.hint).toMatch(/so the organisation JWKS URL, which holds organisationId, does not exist \(404\) and the token endpoint refuses the client \(invalid_client\)\.$/);
    // The output (the resolved config, for the checks after this one) never reaches a report.
    const { output: _config, ...reported } = result;
    const everything = JSON.stringify(reported);
    expect(everything).not.toContain(CANARY_SECRET);
    expect(everything).not.toContain(CANARY_SECRET.slice(0, 8));
  });

  it('passes values without unseen characters', async () => {
    const result = await pasted(JWT_WITH_KID, { SIGNING_KID: 'kid-1' });
    expect(result.status).toBe('pass');
  });
});
