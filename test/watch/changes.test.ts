import { describe, expect, it } from 'vitest';
import type { CheckReport, Report } from '../../src/report/types.js';
import { diffReports, formatChange, SKEW_JUMP_MS, type Change } from '../../src/watch/changes.js';
import { check, report, run } from '../support/report-fixtures.js';

const CONFIG = { path: 'prod.yaml' };
const NOT_AFTER = '2027-01-30T00:00:00.000Z';

function reportOf(results: CheckReport[], skewMs: number | null = 140, config = CONFIG): Report {
  const built = report([run(config, results)]);
  return { ...built, host: { ...built.host, clockSkewMs: skewMs } };
}

const jwks = (kids: string[]) => check('jwks.fetch', 'pass', { evidence: { url: 'https://jwks.example/org.json', kids } });
const certificate = (daysLeft?: number) =>
  check('signing.certificate', daysLeft === undefined ? 'pass' : 'warn', {
    evidence: { notAfter: NOT_AFTER, ...(daysLeft !== undefined && { daysLeft, expiryWarningDays: 60 }) },
  });

describe('diffReports', () => {
  it('finds nothing between two equal runs', () => {
    const results = [jwks(['k1']), certificate()];
    expect(diffReports(reportOf(results), reportOf(results))).toEqual([]);
  });

  it('reports a status change with the new message, and back', () => {
    const passing = reportOf([check('jwks.signing-key', 'pass')]);
    const failing = reportOf([check('jwks.signing-key', 'fail', { message: 'The signing key is not registered in the JWKS.' })]);
    expect(diffReports(passing, failing)).toEqual([
      { kind: 'status', config: 'prod.yaml', id: 'jwks.signing-key', from: 'pass', to: 'fail', message: 'The signing key is not registered in the JWKS.' },
    ]);
    expect(diffReports(failing, passing)).toEqual([{ kind: 'status', config: 'prod.yaml', id: 'jwks.signing-key', from: 'fail', to: 'pass' }]);
  });

  it('reports a certificate entering the warning horizon and leaving it, not its daily count down', () => {
    const changes = diffReports(reportOf([certificate()]), reportOf([certificate(59)]));
    expect(changes).toContainEqual({ kind: 'expiry', config: 'prod.yaml', id: 'signing.certificate', daysLeft: 59, horizonDays: 60 });
    expect(changes).toContainEqual(expect.objectContaining({ kind: 'status', from: 'pass', to: 'warn' }));
    expect(diffReports(reportOf([certificate(59)]), reportOf([certificate()]))).toContainEqual({ kind: 'expiry', config: 'prod.yaml', id: 'signing.certificate' });
    expect(diffReports(reportOf([certificate(59)]), reportOf([certificate(58)]))).toEqual([]);
  });

  it('says nothing of the horizon when the certificate was not read', () => {
    const unread = check('signing.certificate', 'fail', { evidence: { file: 'certs/signing.pem', problem: 'missing' } });
    expect(diffReports(reportOf([certificate(59)]), reportOf([unread])).filter((change) => change.kind === 'expiry')).toEqual([]);
  });

  it('reports kids added to and removed from the JWKS', () => {
    expect(diffReports(reportOf([jwks(['k1', 'k2'])]), reportOf([jwks(['k2', 'k3'])]))).toEqual([
      { kind: 'kids', config: 'prod.yaml', added: ['k3'], removed: ['k1'] },
    ]);
  });

  it("reads the kids from jwks.signing-key's evidence when jwks.fetch has none, and not at all when the JWKS was not read", () => {
    const fromSigning = (kids: string[]) => reportOf([check('jwks.signing-key', 'pass', { evidence: { jwksKids: kids } })]);
    expect(diffReports(fromSigning(['a']), fromSigning(['a', 'b']))).toEqual([{ kind: 'kids', config: 'prod.yaml', added: ['b'], removed: [] }]);
    const unreachable = reportOf([check('jwks.fetch', 'fail', { message: 'timeout', evidence: { url: 'x' } })]);
    expect(diffReports(reportOf([jwks(['k1'])]), unreachable).map((change) => change.kind)).toEqual(['status']);
  });

  it(`reports a clock-skew jump over ${SKEW_JUMP_MS / 1000} s, not a smaller drift nor an unknown skew`, () => {
    expect(diffReports(reportOf([], 100), reportOf([], 5_200))).toEqual([{ kind: 'skew', fromMs: 100, toMs: 5_200 }]);
    expect(diffReports(reportOf([], 100), reportOf([], 5_000))).toEqual([]);
    expect(diffReports(reportOf([], 100), reportOf([], null))).toEqual([]);
  });
});

describe('formatChange', () => {
  const cases: [Change, string][] = [
    [{ kind: 'status', config: 'p.yaml', id: 'jwks.signing-key', from: 'pass', to: 'fail', message: 'Not registered.' }, 'jwks.signing-key pass → fail: Not registered.'],
    [{ kind: 'expiry', config: 'p.yaml', id: 'signing.certificate', daysLeft: 1, horizonDays: 60 }, 'signing.certificate: 1 day left, now within the 60-day expiry warning horizon'],
    [{ kind: 'expiry', config: 'p.yaml', id: 'signing.certificate' }, 'signing.certificate: the certificate is no longer within the expiry warning horizon'],
    [{ kind: 'kids', config: 'p.yaml', added: ['k3'], removed: ['k1', 'k2'] }, 'JWKS kids: added k3; removed k1, k2'],
    [{ kind: 'kids', config: 'p.yaml', added: [], removed: ['k1'] }, 'JWKS kids: removed k1'],
    [{ kind: 'skew', fromMs: 100, toMs: -7_300 }, 'clock skew +0.1 s → -7.3 s'],
  ];
  it.each(cases)('%o', (change, line) => expect(formatChange(change, false)).toBe(line));

  it('names the config when the watch has several', () => {
    expect(formatChange({ kind: 'kids', config: 'p.yaml', added: ['k'], removed: [] }, true)).toBe('p.yaml: JWKS kids: added k');
  });
});
