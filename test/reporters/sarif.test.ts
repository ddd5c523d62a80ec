import { createRequire } from 'node:module';
import ajvDraft04 from 'ajv-draft-04';
import type * as Sarif from 'sarif';
import { describe, expect, it } from 'vitest';
import jwksSigningKey from '../../checks/jwks.signing-key.js';
import { artifactUri, sarif } from '../../src/reporters/sarif.js';
import type { Report } from '../../src/report/types.js';
import { check, hostileReport, mixedReport, passingReport, report, run, strictReport } from '../support/report-fixtures.js';

const require = createRequire(import.meta.url);
const sarifSchema = require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json') as object;
const validate = new ajvDraft04.default({ strict: false, unicodeRegExp: false, validateFormats: false, logger: false, allErrors: true }).compile(sarifSchema);

function render(value: Report): Sarif.Log {
  const log = JSON.parse(sarif(value, { color: false })) as Sarif.Log;
  const valid = validate(log);
  expect(validate.errors ?? []).toEqual([]);
  expect(valid).toBe(true);
  return log;
}

describe('sarif reporter', () => {
  it.each([
    ['mixed', mixedReport],
    ['passing', passingReport],
    ['strict', strictReport],
    ['hostile', hostileReport],
  ])('writes the %s report as valid SARIF 2.1.0', (_name, build) => {
    const log = render(build());
    expect(log.version).toBe('2.1.0');
    expect(log.$schema).toMatch(/sarif-schema-2\.1\.0\.json$/);
    expect(log.runs).toHaveLength(1);
    expect(log.runs[0]!.tool.driver.name).toBe('golive');
  });

  it('has one result per failure and warning of every config, in one run, each with its rule', () => {
    const [only] = render(mixedReport()).runs;
    const results = only!.results!;
    // prod: 2 warnings, 3 failures (one an internal error); uat: 1 failure. Passes and skips are not results.
    expect(results.map((result) => [result.ruleId, result.level])).toEqual([
      ['config.consistency', 'warning'],
      ['signing.certificate', 'warning'],
      ['jwks.signing-key', 'error'],
      ['network.api-endpoint', 'error'],
      ['token.request', 'error'],
      ['config.schema', 'error'],
    ]);
    const rules = only!.tool.driver.rules!;
    expect(rules.map((rule) => rule.id)).toEqual(results.map((result) => result.ruleId));
    for (const result of results) expect(rules[result.ruleIndex!]!.id).toBe(result.ruleId);
    expect(results[3]!.properties).toEqual({ internalError: true });
  });

  it('locates config findings at file, line and column; others at the config file', () => {
    const results = render(mixedReport()).runs[0]!.results!;
    const byRule = (id: string) => results.find((result) => result.ruleId === id)!.locations![0]!.physicalLocation!;
    expect(byRule('config.schema')).toEqual({ artifactLocation: { uri: 'config/uat.yaml' }, region: { startLine: 7, startColumn: 3 } });
    expect(byRule('config.consistency')).toEqual({ artifactLocation: { uri: 'config/prod.yaml' }, region: { startLine: 21, startColumn: 9 } });
    expect(byRule('token.request')).toEqual({ artifactLocation: { uri: 'config/prod.yaml' } });
  });

  it('puts the message and the hint in the result text', () => {
    const result = render(mixedReport()).runs[0]!.results!.find((candidate) => candidate.ruleId === 'config.schema')!;
    expect(result.message.text).toBe('client.clientid is not a known key. — Did you mean client.id? Rename the key.');
  });

  it('describes each rule with its title and the documentation its caller supplies', () => {
    const ruleHelp = (id: string) =>
      id === 'jwks.signing-key' ? { description: jwksSigningKey.explain.verifies, text: 'How to fix: …', markdown: '**Common causes**' } : undefined;
    const log = JSON.parse(sarif(mixedReport(), { color: false, ruleHelp })) as Sarif.Log;
    const rules = log.runs[0]!.tool.driver.rules!;
    const signing = rules.find((rule) => rule.id === 'jwks.signing-key')!;
    expect(signing.name).toBe('JwksSigningKey');
    expect(signing.shortDescription).toEqual({ text: 'Signing key registered in JWKS' });
    expect(signing.fullDescription?.text).toBe(jwksSigningKey.explain.verifies);
    expect(signing.help).toEqual({ text: 'How to fix: …', markdown: '**Common causes**' });
    expect(rules.find((rule) => rule.id === 'config.schema')!.help).toBeUndefined();
  });

  it('gives a rule no help when the caller supplies none, and still validates', () => {
    const log = render(report([run({ path: 'prod.yaml' }, [check('migration.credentials', 'fail', { message: 'm', hint: 'h' })])]));
    const rule = log.runs[0]!.tool.driver.rules!.find((candidate) => candidate.id === 'migration.credentials')!;
    expect(rule.help).toBeUndefined();
    expect(rule.shortDescription?.text).toBe('migration.credentials');
  });

  it('has no results for a passing report', () => {
    const [only] = render(passingReport()).runs;
    expect(only!.results).toEqual([]);
    expect(only!.tool.driver.rules).toEqual([]);
  });

  it('makes a warning an error under --strict, as the github format does', () => {
    expect(render(strictReport()).runs[0]!.results!.map((result) => result.level)).toEqual(['error']);
  });

  it('percent-encodes the config path and neutralises control characters', () => {
    const [first] = render(hostileReport()).runs[0]!.results!;
    expect(first!.locations![0]!.physicalLocation!.artifactLocation!.uri).toBe('odd%20dir/cfg%2C1%3Aa%25.yaml');
    expect(first!.locations![0]!.physicalLocation!.region).toEqual({ startLine: 2, startColumn: 4 });
    expect(first!.message.text).not.toMatch(/[\u0000-\u0008\u001b]/);
    expect(first!.message.text).toContain('\\u001B[31mred');
  });

  it.each([
    ['config/prod.yaml', 'config/prod.yaml'],
    ['./golive.yaml', 'golive.yaml'],
    ['config\\win.yaml', 'config/win.yaml'],
    ['/etc/golive/prod.yaml', 'file:///etc/golive/prod.yaml'],
    ['C:\\golive\\prod.yaml', 'file:///C:/golive/prod.yaml'],
    ['a:b.yaml', 'a%3Ab.yaml'],
    ['lone \ud800.yaml', 'lone%20%EF%BF%BD.yaml'],
  ])('artifact URI of %s is %s', (configPath, uri) => {
    expect(artifactUri(configPath)).toBe(uri);
  });
});
