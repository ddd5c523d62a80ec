import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import schema from '../../schemas/report.schema.json' with { type: 'json' };
import type { Report } from '../../src/report/types.js';
import { validateReport } from '../../src/report/validate.js';
import { reporters } from '../../src/reporters/index.js';
import { hostileReport, mixedReport, passingReport, strictReport } from '../support/report-fixtures.js';

// The schema compiled at run time, as `golive report` did before the validator was precompiled: the reference.
const reference = new Ajv({ allErrors: true, strict: false }).compile(schema);

function asRead(value: Report): Record<string, any> {
  return JSON.parse(reporters.json(value, { color: false })) as Record<string, any>;
}

describe('validateReport (precompiled schemas/report.schema.json)', () => {
  it.each(Object.entries({ mixedReport, passingReport, strictReport, hostileReport }))('accepts the json output of %s()', (_name, build) => {
    expect(validateReport(asRead(build()))).toBeUndefined();
  });

  const broken: Array<[string, (r: Record<string, any>) => unknown]> = [
    [
      'several errors at once',
      (r) => {
        r.runs[0].checks[2].status = 'ok';
        r.runs[1].summary = { pass: 1 };
        r.extra = true;
        r.host.clockSkewMs = '140';
        return r;
      },
    ],
    ['a run status of warn', (r) => ({ ...r, runs: [{ ...r.runs[0], status: 'warn' }] })],
    ['evidence that is not an object', (r) => ({ ...r, runs: [{ ...r.runs[0], checks: [{ ...r.runs[0].checks[0], evidence: 'x' }] }] })],
    ['a missing summary', ({ summary: _summary, ...rest }) => rest],
    ['an empty generatedAt', (r) => ({ ...r, generatedAt: '' })],
    ['a check id out of pattern', (r) => ({ ...r, runs: [{ ...r.runs[0], checks: [{ ...r.runs[0].checks[0], id: 'Config' }] }] })],
    ['schemaVersion 2', (r) => ({ ...r, schemaVersion: 2 })],
    ['not an object', () => [1, 2]],
  ];
  it.each(broken)('rejects %s with the errors ajv gives at run time', (_name, breakIt) => {
    const data = breakIt(asRead(mixedReport()));
    const errors = validateReport(data);
    expect(reference(data)).toBe(false);
    expect(errors).toEqual(reference.errors);
  });

  it('names each problem with its path, keyword and params', () => {
    const errors = validateReport(broken[0]![1](asRead(mixedReport()))) ?? [];
    expect(errors).toContainEqual(expect.objectContaining({ instancePath: '', keyword: 'additionalProperties', params: { additionalProperty: 'extra' } }));
    expect(errors).toContainEqual(expect.objectContaining({ instancePath: '/host/clockSkewMs', keyword: 'type', message: 'must be number,null' }));
    expect(errors).toContainEqual(
      expect.objectContaining({ instancePath: '/runs/0/checks/2/status', keyword: 'enum', params: { allowedValues: ['pass', 'warn', 'fail', 'skip'] } }),
    );
  });
});
