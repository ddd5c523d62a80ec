import { describe, expect, it } from 'vitest';
import check from '../../checks/migration.credentials.js';
import {
  credentialFiles,
  generateCredentials,
  PAIR_ENV,
  PROD_SECRET,
  prodDocument,
  runScenario,
  secretDocument,
  UAT_SECRET,
  uatDocument,
  type Scenario,
} from '../migration/support.js';
import { tempDir } from '../support/config-files.js';
import { issue } from '../support/credentials.js';

const dir = tempDir('golive-migration-credentials-');
const credentials = await generateCredentials();
const files = credentialFiles(credentials);
// The UAT signing key with a new certificate: the Production certificate was issued for the old key.
const reissued = await issue({ subject: 'CN=prod signing, O=Example Ltd', keys: credentials.uatSigning.keys, keyUsage: ['digitalSignature'] });
const reissuedTransport = await issue({
  subject: 'CN=prod transport, O=Example Ltd',
  keys: credentials.uatTransport.keys,
  keyUsage: ['digitalSignature'],
  extKeyUsage: ['clientAuth'],
});

const withProd = (overrides: Record<string, unknown>) => ({ ...prodDocument(), ...overrides });

describe('migration.credentials', () => {
  it('passes when the client id, signing and transport credentials are all new', async () => {
    const result = await runScenario(dir, check, { uat: uatDocument(), production: prodDocument(), files });
    expect(result.status).toBe('pass');
    expect(result.message).toBe('Production has its own client id, signing key and certificate and transport key and certificate.');
    expect(result.evidence).toMatchObject({
      clientId: { uat: PAIR_ENV.UAT_CLIENT_ID, production: PAIR_ENV.PROD_CLIENT_ID },
      signing: { comparison: 'different', uat: expect.stringMatching(/^uat\/signing\.pem SHA-256 ([0-9A-F]{2}:){7}[0-9A-F]{2}…$/) },
      transport: { comparison: 'different' },
    });
  });

  it('passes different secrets, showing only where they come from and their lengths', async () => {
    const result = await runScenario(dir, check, { uat: secretDocument('uat'), production: secretDocument('production') });
    expect(result.status).toBe('pass');
    expect(result.evidence?.secret).toEqual({
      uat: `\${UAT_CLIENT_SECRET}, length ${UAT_SECRET.length}`,
      production: `\${PROD_CLIENT_SECRET}, length ${PROD_SECRET.length}`,
      comparison: 'different',
    });
    const shown = JSON.stringify({ message: result.message, hint: result.hint, evidence: result.evidence });
    expect(shown).not.toContain(UAT_SECRET);
    expect(shown).not.toContain(PROD_SECRET);
  });

  it('lists a credential used only in Production as new', async () => {
    const result = await runScenario(dir, check, { uat: { ...uatDocument(), connectivity: 'tls', transport: undefined }, production: prodDocument(), files });
    expect(result.status).toBe('pass');
    expect(result.evidence?.transport).toMatchObject({ uat: 'not used', comparison: 'new in Production' });
  });

  const cases: { name: string; scenario: Scenario; status: 'fail' | 'warn'; code: string; field: string; message: RegExp; hint: RegExp }[] = [
    {
      name: 'the UAT client id in Production',
      code: 'same-client-id',
      scenario: { uat: uatDocument(), production: prodDocument(), files, env: { ...PAIR_ENV, PROD_CLIENT_ID: PAIR_ENV.UAT_CLIENT_ID } },
      status: 'fail',
      field: 'client.id',
      message: new RegExp(`^client\\.id is ${PAIR_ENV.UAT_CLIENT_ID} in both configs\\.$`),
      hint: /Set client\.id in prod\.yaml to the client id issued for Production/,
    },
    {
      name: 'both configs reading the client id from one variable',
      code: 'same-client-id',
      scenario: { uat: uatDocument(), production: withProd({ client: { id: '${UAT_CLIENT_ID}', authMethod: 'private_key_jwt' } }), files },
      status: 'fail',
      field: 'client.id',
      message: /both configs read client\.id from \$\{UAT_CLIENT_ID\}, and golive diff reads both in one environment: give the Production config its own variable \(e\.g\. \$\{PROD_CLIENT_ID\}\)/,
      hint: /client id issued for Production/,
    },
    {
      name: 'the UAT secret in Production',
      code: 'same-secret',
      scenario: { uat: secretDocument('uat'), production: secretDocument('production'), env: { ...PAIR_ENV, PROD_CLIENT_SECRET: UAT_SECRET } },
      status: 'fail',
      field: 'client.secret',
      message: /^client\.secret is the same in both configs \(compared by SHA-256 digest; value not shown\)\.$/,
      hint: /Use the secret issued with the Production client in prod\.yaml/,
    },
    {
      name: 'the UAT signing certificate in Production',
      code: 'same-signing-certificate',
      scenario: { uat: uatDocument(), production: prodDocument(), files: { ...files, 'prod/signing.pem': files['uat/signing.pem']!, 'prod/signing.key': files['uat/signing.key']! } },
      status: 'fail',
      field: 'signing.certificate',
      message: /^the signing certificate is the same in both configs \(SHA-256 ([0-9A-F]{2}:){7}[0-9A-F]{2}…, CN=uat signing, O=Example Ltd\)\.$/,
      hint: /Generate a new signing key for Production, have its certificate issued, register it in the Production portal/,
    },
    {
      name: 'a Production signing certificate issued for the UAT key',
      code: 'same-signing-key',
      scenario: { uat: uatDocument(), production: prodDocument(), files: { ...files, 'prod/signing.pem': reissued.certPem, 'prod/signing.key': files['uat/signing.key']! } },
      status: 'fail',
      field: 'signing.privateKey',
      message: /^the Production signing key is the UAT signing key \(public key thumbprint [A-Za-z0-9_-]{43}\)\.$/,
      hint: /Generate a new signing key for Production/,
    },
    {
      name: 'the UAT transport files in Production',
      code: 'same-transport-certificate',
      scenario: { uat: uatDocument(), production: withProd({ transport: { certificate: 'uat/transport.pem', privateKey: 'uat/transport.key' } }), files },
      status: 'fail',
      field: 'transport.certificate',
      message: /^the transport certificate is the same in both configs .*CN=uat transport/,
      hint: /Generate a new transport key for Production/,
    },
    {
      name: 'a Production signing key that does not load',
      code: 'signing-not-compared',
      scenario: { uat: uatDocument(), production: prodDocument(), files: { ...files, 'prod/signing.pem': 'not a certificate', 'prod/signing.key': 'not a key' } },
      status: 'warn',
      field: 'signing.certificate',
      message: /^the signing credentials were not compared, as they do not load \(prod\/signing\.pem: /,
      hint: /Run golive check --offline on each config/,
    },
    {
      name: 'a Production transport certificate issued for the UAT key',
      scenario: { uat: uatDocument(), production: prodDocument(), files: { ...files, 'prod/transport.pem': reissuedTransport.certPem, 'prod/transport.key': files['uat/transport.key']! } },
      status: 'fail',
      code: 'same-transport-key',
      field: 'transport.privateKey',
      message: /^the Production transport key is the UAT transport key \(public key thumbprint [A-Za-z0-9_-]{43}\)\.$/,
      hint: /Generate a new transport key for Production/,
    },
    {
      name: 'a UAT transport certificate that does not load',
      scenario: { uat: uatDocument(), production: prodDocument(), files: { ...files, 'uat/transport.pem': 'not a certificate', 'uat/transport.key': 'not a key' } },
      status: 'warn',
      code: 'transport-not-compared',
      field: 'transport.certificate',
      message: /^the transport credentials were not compared, as they do not load \(uat\/transport\.pem \(UAT\): /,
      hint: /full diagnosis of its transport credentials/,
    },
  ];

  it.each(cases)('$status for $name', async ({ scenario, status, code, field, message, hint }) => {
    const result = await runScenario(dir, check, scenario);
    expect(result).toMatchObject({ status, code });
    expect(result.message).toMatch(message);
    expect(result.hint).toMatch(hint);
    expect(result.evidence?.findings).toEqual([expect.objectContaining({ severity: status, code, field, uat: expect.any(String), production: expect.any(String) })]);
    expect(JSON.stringify(result.evidence)).not.toMatch(/PRIVATE KEY/);
  });

  it('lists every finding at once: client id, signing and transport', async () => {
    const result = await runScenario(dir, check, {
      uat: uatDocument(),
      production: withProd({ client: { id: '${UAT_CLIENT_ID}', authMethod: 'private_key_jwt' }, signing: uatDocument().signing, transport: uatDocument().transport }),
      files,
    });
    expect(result).toMatchObject({ status: 'fail', code: 'same-client-id' });
    expect((result.evidence?.findings as { field: string }[]).map(({ field }) => field)).toEqual(['client.id', 'signing.certificate', 'transport.certificate']);
    expect((result.evidence?.findings as { code: string }[]).map(({ code }) => code)).toEqual(['same-client-id', 'same-signing-certificate', 'same-transport-certificate']);
  });
});
