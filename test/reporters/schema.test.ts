import { Ajv } from 'ajv';
import { describe, expect, expectTypeOf, it } from 'vitest';
import schema from '../../schemas/report.schema.json' with { type: 'json' };
import type { CheckReport, Report, RunConfigSummary, RunReport, Summary } from '../../src/report/types.js';
import { reporters } from '../../src/reporters/index.js';
import { hostileReport, mixedReport, passingReport, report, run, check, strictReport } from '../support/report-fixtures.js';

const validate = new Ajv({ allErrors: true }).compile(schema);

function validateJson(value: Report): boolean {
  return validate(JSON.parse(reporters.json(value, { color: false })));
}

describe('schemas/report.schema.json', () => {
  it('has the published $id', () => {
    expect(schema.$id).toBe('https://golive.dev/schemas/report.schema.json');
  });

  it.each([
    ['mixed', mixedReport],
    ['passing', passingReport],
    ['strict', strictReport],
    ['hostile', hostileReport],
  ])('accepts the json output of the %s report', (_name, build) => {
    const valid = validateJson(build());
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('accepts a report with no runs and an unmeasured clock skew', () => {
    const empty = report([]);
    expect(validateJson({ ...empty, host: { ...empty.host, clockSkewMs: null } })).toBe(true);
  });

  it('accepts migration check ids', () => {
    expect(validateJson(report([run({ path: 'uat.yaml' }, [check('migration.credentials', 'fail', { message: 'm', hint: 'h' })])]))).toBe(true);
  });

  const broken: Array<[string, (r: Report) => unknown]> = [
    ['an unknown status', (r) => ({ ...r, runs: [{ ...r.runs[0], checks: [{ ...r.runs[0]!.checks[0], status: 'ok' }] }] })],
    ['a run status of warn', (r) => ({ ...r, runs: [{ ...r.runs[0], status: 'warn' }] })],
    ['evidence that is not an object', (r) => ({ ...r, runs: [{ ...r.runs[0], checks: [{ ...r.runs[0]!.checks[0], evidence: 'x' }] }] })],
    ['a string clock skew', (r) => ({ ...r, host: { ...r.host, clockSkewMs: '140' } })],
    ['a missing summary', ({ summary: _summary, ...rest }) => rest],
    ['a missing check title', (r) => ({ ...r, runs: [{ ...r.runs[0], checks: [{ id: 'config.parse', status: 'pass', durationMs: 1, needs: [] }] }] })],
    ['an unknown top-level field', (r) => ({ ...r, secret: 'x' })],
    ['schemaVersion 2', (r) => ({ ...r, schemaVersion: 2 })],
  ];
  it.each(broken)('rejects %s', (_name, breakIt) => {
    expect(validate(breakIt(JSON.parse(JSON.stringify(mixedReport())) as Report))).toBe(false);
  });

  it('describes exactly the fields of the report types', () => {
    // Checked by `tsc`: a field added to src/report/types.ts must be added to the schema.
    expectTypeOf<keyof typeof schema.properties>().toEqualTypeOf<keyof Report>();
    expectTypeOf<keyof typeof schema.properties.tool.properties>().toEqualTypeOf<keyof Report['tool']>();
    expectTypeOf<keyof typeof schema.properties.host.properties>().toEqualTypeOf<keyof Report['host']>();
    expectTypeOf<keyof typeof schema.definitions.summary.properties>().toEqualTypeOf<keyof Summary>();
    expectTypeOf<keyof typeof schema.definitions.run.properties>().toEqualTypeOf<keyof RunReport>();
    expectTypeOf<keyof typeof schema.definitions.config.properties>().toEqualTypeOf<keyof RunConfigSummary>();
    expectTypeOf<keyof typeof schema.definitions.config.properties.endpoints.properties>().toEqualTypeOf<
      keyof NonNullable<RunConfigSummary['endpoints']>
    >();
    expectTypeOf<keyof typeof schema.definitions.check.properties>().toEqualTypeOf<keyof CheckReport>();
    expect(schema.properties.status.$ref).toBe('#/definitions/verdict');
  });
});
