import { describe, expect, it } from 'vitest';
import check from '../../checks/migration.changes.js';
import { credentialFiles, generateCredentials, prodDocument, runScenario, secretDocument, uatDocument, type Scenario } from '../migration/support.js';
import { tempDir } from '../support/config-files.js';

const dir = tempDir('golive-migration-changes-');
const files = credentialFiles(await generateCredentials());

const prodWith = (overrides: Record<string, unknown>) => ({ ...prodDocument(), ...overrides });

describe('migration.changes', () => {
  it('passes when nothing that needs confirming changed, showing the organisation ids', async () => {
    const result = await runScenario(dir, check, { uat: uatDocument(), production: prodDocument(), files });
    expect(result.status).toBe('pass');
    expect(result.message).toBe('No changes in profile, connectivity, region, client.authMethod, client.scopes, signing.algorithm, probe.');
    expect(result.evidence).toMatchObject({ unchanged: { region: '0 (Default)' }, organisationId: { uat: 'org-uat', production: 'org-prod' } });
    expect(result.evidence).not.toHaveProperty('changed');
  });

  const cases: { name: string; scenario: Scenario; code: string; field: string; uat: string; production: string; message: RegExp; hint: RegExp }[] = [
    {
      name: 'profile',
      code: 'profile-changed',
      scenario: {
        uat: uatDocument(),
        production: prodWith({
          profile: 'custom',
          endpoints: { token: 'https://threddid.com/oauth2/token', jwks: 'http://jwks.threddid.com/org-prod/jwks.json', api: 'https://mtls.thredd.com' },
        }),
        files,
      },
      field: 'profile',
      uat: 'thredd',
      production: 'custom',
      message: /^profile changes from thredd to custom\.$/,
      hint: /^Confirm the Production config is meant to use the custom profile: it decides which endpoints are derived\.$/,
    },
    {
      name: 'region',
      code: 'region-changed',
      scenario: { uat: uatDocument(), production: prodWith({ region: 2 }), files },
      field: 'region',
      uat: '0 (Default)',
      production: '2 (APAC)',
      message: /^region changes from 0 \(Default\) to 2 \(APAC\)\.$/,
      hint: /provisioned in region 2 \(APAC\): the API answers 403 when X-Region does not match/,
    },
    {
      name: 'connectivity',
      code: 'connectivity-changed',
      scenario: { uat: { ...uatDocument(), connectivity: 'tls', transport: undefined }, production: prodDocument(), files },
      field: 'connectivity',
      uat: 'tls',
      production: 'mtls',
      message: /^connectivity changes from tls to mtls\.$/,
      hint: /registered for mTLS, with the Production transport certificate registered/,
    },
    {
      name: 'auth method (without a second finding for the algorithm)',
      code: 'auth-method-changed',
      scenario: { uat: secretDocument('uat'), production: { ...prodDocument(), connectivity: 'tls', transport: undefined }, files },
      field: 'client.authMethod',
      uat: 'client_secret_post',
      production: 'private_key_jwt',
      message: /^client\.authMethod changes from client_secret_post to private_key_jwt\.$/,
      hint: /registered for private_key_jwt and its signing certificate is registered/,
    },
    {
      name: 'scopes',
      code: 'scopes-changed',
      scenario: {
        uat: { ...uatDocument(), client: { id: '${UAT_CLIENT_ID}', authMethod: 'private_key_jwt', scopes: ['cards:read', 'products:read'] } },
        production: prodWith({ client: { id: '${PROD_CLIENT_ID}', authMethod: 'private_key_jwt', scopes: ['products:read', 'cards:write'] } }),
        files,
      },
      field: 'client.scopes',
      uat: 'cards:read products:read',
      production: 'cards:write products:read',
      message: /^client\.scopes changes from cards:read products:read to cards:write products:read\.$/,
      hint: /^Scopes added cards:write, removed cards:read: confirm the Production client is granted every requested scope/,
    },
    {
      name: 'signing algorithm',
      code: 'algorithm-changed',
      scenario: { uat: { ...uatDocument(), signing: { ...(uatDocument().signing as object), algorithm: 'PS256' } }, production: prodDocument(), files },
      field: 'signing.algorithm',
      uat: 'PS256',
      production: 'ES256',
      message: /^signing\.algorithm changes from PS256 to ES256\.$/,
      hint: /algorithm registered for the Production client/,
    },
    {
      name: 'probe',
      code: 'probe-changed',
      scenario: { uat: uatDocument(), production: prodWith({ probe: { method: 'POST', path: '/core/api/v1/cards', expectStatus: [201] } }), files },
      field: 'probe',
      uat: 'GET /core/api/v1/products expecting 200',
      production: 'POST /core/api/v1/cards expecting 201',
      message: /^probe changes from GET \/core\/api\/v1\/products expecting 200 to POST \/core\/api\/v1\/cards expecting 201\.$/,
      hint: /read-only call the Production client may make/,
    },
  ];

  it.each(cases)('warns for a change of $name, with both values and what to confirm', async ({ scenario, code, field, uat, production, message, hint }) => {
    const result = await runScenario(dir, check, scenario);
    expect(result).toMatchObject({ status: 'warn', code });
    expect(result.message).toMatch(message);
    expect(result.hint).toMatch(hint);
    expect(result.evidence?.findings).toEqual([{ severity: 'warn', code, field, uat, production }]);
    expect(result.evidence?.changed).toEqual({ [field]: `UAT ${uat}, Production ${production}` });
  });

  it('lists several changes in one result, in a stable order', async () => {
    const result = await runScenario(dir, check, { uat: uatDocument(), production: prodWith({ region: 1, probe: { path: '/core/api/v1/cards' } }), files });
    expect(result).toMatchObject({ status: 'warn', code: 'region-changed' });
    expect((result.evidence?.findings as { field: string }[]).map(({ field }) => field)).toEqual(['region', 'probe']);
    expect((result.evidence?.findings as { code: string }[]).map(({ code }) => code)).toEqual(['region-changed', 'probe-changed']);
    expect(result.message).toMatch(/^region changes .*; probe changes /);
  });
});
