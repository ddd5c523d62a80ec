import { describe, expect, it } from 'vitest';
import check from '../../checks/migration.environments.js';
import { credentialFiles, generateCredentials, prodDocument, runScenario, uatDocument, type Scenario } from '../migration/support.js';
import { tempDir } from '../support/config-files.js';

const dir = tempDir('golive-migration-environments-');
const files = credentialFiles(await generateCredentials());

describe('migration.environments', () => {
  it('passes a UAT config first and a Production config second', async () => {
    const result = await runScenario(dir, check, { uat: uatDocument(), production: prodDocument(), files });
    expect(result.status).toBe('pass');
    expect(result.message).toBe('uat.yaml is the UAT config and prod.yaml the Production config.');
  });

  const cases: { name: string; scenario: Scenario; code: string; message: RegExp; hint: RegExp }[] = [
    {
      name: 'the arguments the wrong way round',
      code: 'arguments-swapped',
      scenario: { uat: prodDocument(), production: uatDocument(), files },
      message: /^uat\.yaml is the Production config and prod\.yaml the UAT one: the arguments are the wrong way round\.$/,
      hint: /^Run golive diff prod\.yaml uat\.yaml \(UAT first, Production second\)\.$/,
    },
    {
      name: 'a Production config still saying environment: uat',
      code: 'second-not-production',
      scenario: { uat: uatDocument(), production: { ...prodDocument(), environment: 'uat' }, files },
      message: /^prod\.yaml, named second as the Production config, has environment: uat\.$/,
      hint: /Set environment: production in prod\.yaml/,
    },
    {
      name: 'two Production configs',
      code: 'first-not-uat',
      scenario: { uat: { ...uatDocument(), environment: 'production' }, production: prodDocument(), files },
      message: /^uat\.yaml, named first as the UAT config, has environment: production\.$/,
      hint: /Name the UAT config first/,
    },
    {
      name: 'the same content twice',
      code: 'same-content',
      scenario: { uat: prodDocument(), production: prodDocument(), files },
      message: /^uat\.yaml and prod\.yaml are the same file content \(SHA-256 [0-9a-f]{12}…\), so nothing was migrated\.$/,
      hint: /golive diff uat\.yaml prod\.yaml/,
    },
  ];

  it.each(cases)('fails for $name', async ({ scenario, code, message, hint }) => {
    const result = await runScenario(dir, check, scenario);
    expect(result).toMatchObject({ status: 'fail', code });
    expect(result.message).toMatch(message);
    expect(result.hint).toMatch(hint);
    expect(result.evidence?.findings).toEqual([expect.objectContaining({ severity: 'fail', code })]);
  });
});
