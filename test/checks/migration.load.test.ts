import { describe, expect, it } from 'vitest';
import check from '../../checks/migration.load.js';
import { credentialFiles, generateCredentials, PAIR_ENV, prodDocument, runScenario, secretDocument, uatDocument, type Scenario } from '../migration/support.js';
import { tempDir } from '../support/config-files.js';

const dir = tempDir('golive-migration-load-');
const files = credentialFiles(await generateCredentials());

describe('migration.load', () => {
  it('passes when both configs load, naming both files and handing on both resolved configs', async () => {
    const result = await runScenario(dir, check, { uat: uatDocument(), production: prodDocument(), files });
    expect(result.status).toBe('pass');
    expect(result.evidence).toMatchObject({ uat: { file: 'uat.yaml', environment: 'uat' }, production: { file: 'prod.yaml', environment: 'production' } });
    const pair = result.load.output!;
    expect(pair.uat.client.id).toBe(PAIR_ENV.UAT_CLIENT_ID);
    expect(pair.production.client.id).toBe(PAIR_ENV.PROD_CLIENT_ID);
  });

  it('loads the signing and transport credentials of both sides once, for every migration check', async () => {
    const result = await runScenario(dir, check, { uat: uatDocument(), production: prodDocument(), files });
    expect(result.status).toBe('pass');
    const { loaded, uat, production } = result.load.output!;
    expect(loaded.uat.config).toBe(uat);
    expect(loaded.production.config).toBe(production);
    for (const [side, prefix] of [['uat', 'uat'], ['production', 'prod']] as const) {
      for (const role of ['signing', 'transport'] as const) {
        expect(loaded[side].credentials[role]).toMatchObject({
          role,
          certificateField: `${role}.certificate`,
          certificateFile: `${prefix}/${role}.pem`,
          keyFile: `${prefix}/${role}.key`,
          certificate: { subject: `CN=${prefix} ${role}, O=Example Ltd` },
          certificateKeyThumbprint: expect.any(String),
          chain: [],
        });
        // The key that was loaded is the certificate's: both thumbprints name one public key.
        const facts = loaded[side].credentials[role]!;
        expect(facts.keyThumbprint).toBe(facts.certificateKeyThumbprint);
      }
      expect(loaded[side].trustAnchors).toBeUndefined();
    }
  });

  it('loads no credentials for a client secret over TLS', async () => {
    const result = await runScenario(dir, check, { uat: secretDocument('uat'), production: secretDocument('production') });
    expect(result.load.output!.loaded.production.credentials).toEqual({ signing: undefined, transport: undefined });
  });

  const cases: { name: string; scenario: Partial<Scenario>; message: RegExp; hint: RegExp; evidence: Record<string, unknown> }[] = [
    {
      name: 'a Production config with a YAML syntax error: file, line and column',
      scenario: { production: 'environment: production\nclient:\n  id: [unclosed\n' },
      message: /^prod\.yaml \(Production\): prod\.yaml is not valid YAML at line \d+, column \d+/,
      hint: /indentation/,
      evidence: { production: { file: 'prod.yaml', check: 'config.parse', code: 'invalid-yaml', at: expect.stringMatching(/^prod\.yaml:\d+:\d+/) } },
    },
    {
      name: 'a UAT config that does not match the schema, with the suggestion',
      scenario: { uat: { ...uatDocument(), organizationId: 'x' } },
      message: /^uat\.yaml \(UAT\): uat\.yaml:\d+:\d+ .*organizationId/,
      hint: /organisationId/,
      evidence: { uat: { file: 'uat.yaml', check: 'config.schema', code: 'unknown-key', at: expect.stringMatching(/^uat\.yaml:\d+:\d+/) } },
    },
    {
      name: 'a Production variable that is not set',
      scenario: { env: { UAT_CLIENT_ID: PAIR_ENV.UAT_CLIENT_ID } },
      message: /^prod\.yaml \(Production\): Variable PROD_CLIENT_ID is not set/,
      hint: /Export PROD_CLIENT_ID/,
      evidence: { production: { file: 'prod.yaml', check: 'config.references', code: 'variable-not-set' } },
    },
    {
      name: 'a missing UAT config file',
      scenario: { absent: 'uat' },
      message: /^uat\.yaml \(UAT\): The config file uat\.yaml does not exist/,
      hint: /golive init/,
      evidence: { uat: { check: 'config.parse', code: 'not-found' } },
    },
  ];

  it.each(cases)('fails for $name', async ({ scenario, message, hint, evidence }) => {
    const base: Scenario = { uat: uatDocument(), production: prodDocument(), files, ...scenario };
    const result = await runScenario(dir, check, base);
    expect(result).toMatchObject({ status: 'fail', code: 'config-does-not-load' });
    expect(result.message).toMatch(message);
    expect(result.hint).toMatch(hint);
    expect(result.evidence).toMatchObject(evidence);
  });

  it('reports both configs when both fail, each hint prefixed with its file', async () => {
    const result = await runScenario(dir, check, { uat: 'a: [', production: 'b: [', files });
    expect(result).toMatchObject({ status: 'fail', code: 'config-does-not-load' });
    expect(result.evidence).toMatchObject({ uat: { code: 'invalid-yaml' }, production: { code: 'invalid-yaml' } });
    expect(result.message).toMatch(/^uat\.yaml \(UAT\): .* prod\.yaml \(Production\): /);
    expect(result.hint).toMatch(/^uat\.yaml: .* prod\.yaml: /);
  });

  it('declares both client secrets as secrets, so the runner redacts them', async () => {
    const result = await runScenario(dir, check, { uat: secretDocument('uat'), production: secretDocument('production') });
    expect(result.status).toBe('pass');
    expect(result.secrets).toEqual(expect.arrayContaining([PAIR_ENV.UAT_CLIENT_SECRET, PAIR_ENV.PROD_CLIENT_SECRET]));
  });

  it('warns, naming the file, when a Production private key is readable by others', async () => {
    const result = await runScenario(dir, check, {
      uat: uatDocument(),
      production: prodDocument(),
      files: { ...files, 'prod/signing.key': { content: files['prod/signing.key']!, mode: 0o644 } },
    });
    expect(result).toMatchObject({ status: 'warn', code: 'config-warning' });
    expect(result.evidence).toMatchObject({ productionWarning: { file: 'prod.yaml', check: 'config.references', code: 'key-readable-by-others' } });
    expect(result.message).toMatch(/^prod\.yaml \(Production\): Private key file is readable by group or others: signing\.privateKey \(prod\/signing\.key, mode 0644\)/);
    // The key sits outside the current folder: the command names it by its absolute path.
    expect(result.hint).toMatch(/chmod 600 \/\S+\/prod\/signing\.key$/);
    expect(result.load.output?.production.environment).toBe('production');
  });
});
