import { describe, expect, it } from 'vitest';
import { runConfigChecks, SIGNING_FILES, tempDir, VALID_ENV, VALID_JWT_CONFIG, writeConfig } from '../support/config-files.js';

const dir = tempDir();

async function consistency(text: string) {
  const file = writeConfig(dir, text, {
    files: { ...SIGNING_FILES, 'certs/transport.pem': 'x', 'certs/transport.key': 'y' },
  });
  const results = await runConfigChecks(file, VALID_ENV);
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

  const cases = [
    {
      name: 'a Production config pointing at the UAT API host',
      code: 'environment-host-mismatch',
      text: VALID_JWT_CONFIG.replace('environment: uat', 'environment: production') + 'endpoints:\n  api: https://uat-api.thredd.com\n',
      status: 'fail',
      message: /environment is production but the API host https:\/\/uat-api\.thredd\.com is Thredd's UAT host/,
      hint: /Use https:\/\/api\.thredd\.com for production/,
    },
    {
      name: 'a UAT config pointing at the Production API host',
      code: 'environment-host-mismatch',
      text: VALID_JWT_CONFIG + 'endpoints:\n  api: https://api.thredd.com\n',
      status: 'fail',
      message: /environment is uat but the API host https:\/\/api\.thredd\.com is Thredd's PRODUCTION host/,
      hint: /Use https:\/\/uat-api\.thredd\.com for uat/,
    },
    {
      name: 'an mTLS config on the TLS host',
      code: 'connectivity-host-mismatch',
      text: VALID_JWT_CONFIG.replace('connectivity: tls', 'connectivity: mtls') + TRANSPORT + 'endpoints:\n  api: https://uat-api.thredd.com\n',
      status: 'fail',
      message: /connectivity is mtls but the API host https:\/\/uat-api\.thredd\.com is Thredd's tls host/,
      hint: /Use https:\/\/uat-mtls\.thredd\.com for mtls/,
    },
    {
      name: 'mtls without a transport certificate',
      code: 'mtls-without-transport',
      text: VALID_JWT_CONFIG.replace('connectivity: tls', 'connectivity: mtls'),
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
      name: 'a Production config with a sandbox token host',
      code: 'test-host-in-production',
      text: VALID_JWT_CONFIG.replace('environment: uat', 'environment: production') + 'endpoints:\n  token: https://sandbox.threddid.com/oauth2/token\n',
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
      name: 'a plain-http JWKS on a third-party host',
      code: 'plain-http-jwks',
      text: VALID_JWT_CONFIG + 'endpoints:\n  jwks: http://keys.example.com/jwks.json\n',
      status: 'warn',
      message: /endpoints\.jwks http:\/\/keys\.example\.com is plain http/,
      hint: /Use https for endpoints\.jwks/,
    },
    {
      name: 'a transport section on a TLS config',
      code: 'transport-unused',
      text: VALID_JWT_CONFIG + TRANSPORT,
      status: 'warn',
      message: /connectivity is tls, so the transport section is not used/,
      hint: /Remove transport/,
    },
    {
      name: 'credentials in the token URL',
      code: 'credentials-in-url',
      text: VALID_JWT_CONFIG + 'endpoints:\n  token: https://svc:pw@threddid.com/oauth2/token\n',
      status: 'fail',
      message: /^endpoints\.token carries credentials in the URL\.$/,
      hint: /Remove the user:password part from endpoints\.token/,
    },
    {
      name: 'a JWKS URL that is neither http nor https',
      code: 'unsupported-scheme',
      text: VALID_JWT_CONFIG + 'endpoints:\n  jwks: ftp://keys.example.com/jwks.json\n',
      status: 'fail',
      message: /^endpoints\.jwks uses ftp:; only http and https are fetched\.$/,
      hint: /Point endpoints\.jwks at the organisation JWKS URL/,
    },
    {
      name: 'a secret client with a signing section',
      code: 'signing-unused',
      text: VALID_JWT_CONFIG.replace('authMethod: private_key_jwt', 'authMethod: client_secret_basic\n  secret: "${THREDD_CLIENT_ID}"'),
      status: 'warn',
      message: /^client\.authMethod is client_secret_basic, so the signing section is not used\.$/,
      hint: /Remove signing/,
    },
    {
      name: 'a private_key_jwt client with a secret',
      code: 'secret-unused',
      text: VALID_JWT_CONFIG.replace('authMethod: private_key_jwt', 'authMethod: private_key_jwt\n  secret: "${THREDD_CLIENT_ID}"'),
      status: 'warn',
      message: /^client\.authMethod is private_key_jwt, so client\.secret is not used\.$/,
      hint: /Remove client\.secret/,
    },
  ];

  it.each(cases)('$status on $name', async ({ text, code, status, message, hint }) => {
    const result = await consistency(text);
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
