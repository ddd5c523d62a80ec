import { describe, expect, it } from 'vitest';
import check from '../../checks/migration.endpoints.js';
import { credentialFiles, generateCredentials, prodDocument, runScenario, sandboxIssued, uatDocument, type Scenario } from '../migration/support.js';
import { createCa } from '../../src/sandbox/pki.js';
import { tempDir } from '../support/config-files.js';

const dir = tempDir('golive-migration-endpoints-');
const files = credentialFiles(await generateCredentials());
const sandbox = await sandboxIssued('CN=prod signing, O=Example Ltd');

const prodWith = (overrides: Record<string, unknown>) => ({ ...prodDocument(), ...overrides });

describe('migration.endpoints', () => {
  it("passes a Production config on the profile's Production hosts", async () => {
    const result = await runScenario(dir, check, { uat: uatDocument(), production: prodDocument(), files });
    expect(result.status).toBe('pass');
    expect(result.evidence).toMatchObject({ endpoints: { api: 'https://mtls.thredd.com', token: 'https://threddid.com/oauth2/token' } });
    expect(result.message).toMatch(/no UAT, sandbox or test host, CA or certificate issuer/);
  });

  it('passes an http.ca that is a corporate proxy CA', async () => {
    const corporate = await createCa('CN=Example Corp Proxy CA, O=Example Ltd');
    const result = await runScenario(dir, check, {
      uat: uatDocument(),
      production: prodWith({ http: { ca: 'proxy-ca.pem' } }),
      files: { ...files, 'proxy-ca.pem': corporate.certPem },
    });
    expect(result.status).toBe('pass');
    expect(result.evidence).toMatchObject({ ca: 'proxy-ca.pem' });
  });

  const cases: { name: string; scenario: Scenario; status: 'fail' | 'warn'; code: string; field: string; message: RegExp; hint: RegExp }[] = [
    {
      name: "Thredd's UAT API host in Production",
      code: 'uat-host',
      scenario: { uat: uatDocument(), production: prodWith({ endpoints: { api: 'https://uat-mtls.thredd.com' } }), files },
      status: 'fail',
      field: 'endpoints.api',
      message: /^endpoints\.api https:\/\/uat-mtls\.thredd\.com is Thredd's UAT host\.$/,
      hint: /^Remove endpoints\.api from prod\.yaml to use the profile's https:\/\/mtls\.thredd\.com\.$/,
    },
    {
      name: 'a sandbox token host',
      code: 'test-host',
      scenario: { uat: uatDocument(), production: prodWith({ endpoints: { token: 'https://sandbox.threddid.com/oauth2/token' } }), files },
      status: 'fail',
      field: 'endpoints.token',
      message: /^endpoints\.token https:\/\/sandbox\.threddid\.com\/oauth2\/token names a UAT, sandbox or test host \(sandbox\.threddid\.com\)\.$/,
      hint: /Remove endpoints\.token from prod\.yaml/,
    },
    {
      name: 'a JWKS URL naming a UAT organisation in its path',
      code: 'test-path',
      scenario: { uat: uatDocument(), production: prodWith({ endpoints: { jwks: 'http://jwks.threddid.com/uat-org/jwks.json' } }), files },
      status: 'fail',
      field: 'endpoints.jwks',
      message: /^endpoints\.jwks http:\/\/jwks\.threddid\.com\/uat-org\/jwks\.json names a UAT, sandbox or test environment in its path \(\/uat-org\/jwks\.json\)\.$/,
      hint: /endpoints\.jwks/,
    },
    {
      name: 'a local API address',
      code: 'local-address',
      scenario: { uat: uatDocument(), production: prodWith({ profile: 'custom', endpoints: { token: 'https://id.example.com/token', jwks: 'https://id.example.com/jwks', api: 'https://127.0.0.1:8443' } }), files },
      status: 'fail',
      field: 'endpoints.api',
      message: /^endpoints\.api https:\/\/127\.0\.0\.1:8443 is a local address \(127\.0\.0\.1\), not the Production platform\.$/,
      hint: /^Set the endpoints in prod\.yaml to the Production platform's URLs\.$/,
    },
    {
      name: 'the UAT config API URL in a custom-profile Production config',
      code: 'same-api-url',
      scenario: {
        uat: { ...uatDocument(), profile: 'custom', endpoints: { token: 'https://id.example.com/token', jwks: 'https://id.example.com/jwks', api: 'https://api.example.com' } },
        production: prodWith({ profile: 'custom', endpoints: { token: 'https://id.example.com/token', jwks: 'https://id.example.com/jwks', api: 'https://api.example.com' } }),
        files,
      },
      status: 'fail',
      field: 'endpoints.api',
      message: /^endpoints\.api https:\/\/api\.example\.com is the API URL of the UAT config too\.$/,
      hint: /Production platform's URLs/,
    },
    {
      name: 'an API gateway that is not a Thredd host',
      code: 'not-thredd-host',
      scenario: { uat: uatDocument(), production: prodWith({ endpoints: { api: 'https://gateway.example.com' } }), files },
      status: 'warn',
      field: 'endpoints.api',
      message: /^endpoints\.api https:\/\/gateway\.example\.com is not one of Thredd's Production hosts \(https:\/\/api\.thredd\.com, https:\/\/mtls\.thredd\.com\)\.$/,
      hint: /^Confirm that https:\/\/gateway\.example\.com forwards to https:\/\/mtls\.thredd\.com/,
    },
    {
      name: 'a UAT assertion audience',
      code: 'test-host',
      scenario: { uat: uatDocument(), production: prodWith({ signing: { ...(prodDocument().signing as object), audience: 'https://uat.threddid.com/oauth2/token' } }), files },
      status: 'fail',
      field: 'signing.audience',
      message: /^signing\.audience https:\/\/uat\.threddid\.com\/oauth2\/token names a UAT, sandbox or test host/,
      hint: /Remove signing\.audience from prod\.yaml/,
    },
    {
      name: 'the sandbox CA under http.ca',
      code: 'sandbox-ca',
      scenario: { uat: uatDocument(), production: prodWith({ http: { ca: 'ca.pem' } }), files: { ...files, 'ca.pem': sandbox.ca.certPem } },
      status: 'fail',
      field: 'http.ca',
      message: /^http\.ca \(ca\.pem\) trusts CN=Thredd Sandbox Issuing CA, O=golive sandbox, a sandbox or test CA\.$/,
      hint: /^Remove http\.ca from prod\.yaml/,
    },
    {
      name: 'a signing certificate issued by the sandbox CA',
      code: 'sandbox-issuer',
      scenario: { uat: uatDocument(), production: prodDocument(), files: { ...files, 'prod/signing.pem': sandbox.leaf.certPem, 'prod/signing.key': sandbox.leaf.keyPem } },
      status: 'fail',
      field: 'signing.certificate',
      message: /^signing\.certificate \(prod\/signing\.pem\) was issued by CN=Thredd Sandbox Issuing CA, O=golive sandbox, a sandbox or test CA\.$/,
      hint: /^Point signing\.certificate in prod\.yaml at the signing certificate issued for Production\.$/,
    },
    {
      name: 'an http.ca that does not load',
      code: 'ca-not-loaded',
      scenario: { uat: uatDocument(), production: prodWith({ http: { ca: 'ca.pem' } }), files: { ...files, 'ca.pem': 'garbage' } },
      status: 'warn',
      field: 'http.ca',
      message: /^http\.ca \(ca\.pem\) was not checked for sandbox CAs, as it does not load/,
      hint: /golive check --offline prod\.yaml/,
    },
    {
      name: 'an API endpoint that is not a URL',
      code: 'not-a-url',
      scenario: { uat: uatDocument(), production: prodWith({ endpoints: { api: 'api.thredd.com' } }), files },
      status: 'fail',
      field: 'endpoints.api',
      message: /^endpoints\.api api\.thredd\.com is not a URL\.$/,
      hint: /^Remove endpoints\.api from prod\.yaml to use the profile's https:\/\/mtls\.thredd\.com\.$/,
    },
  ];

  it.each(cases)('$status for $name', async ({ scenario, status, code, field, message, hint }) => {
    const result = await runScenario(dir, check, scenario);
    expect(result).toMatchObject({ status, code });
    expect(result.message).toMatch(message);
    expect(result.hint).toMatch(hint);
    expect(result.evidence?.findings).toEqual([expect.objectContaining({ severity: status, code, field, production: expect.any(String) })]);
  });

  it('names the UAT value beside the Production one', async () => {
    const result = await runScenario(dir, check, { uat: uatDocument(), production: prodWith({ endpoints: { api: 'https://uat-mtls.thredd.com' } }), files });
    expect(result.evidence?.findings).toEqual([
      { severity: 'fail', code: 'uat-host', field: 'endpoints.api', uat: 'https://uat-mtls.thredd.com', production: 'https://uat-mtls.thredd.com' },
    ]);
  });
});
