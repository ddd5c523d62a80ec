import { expect } from 'vitest';
import type { Report } from '../../src/report/types.js';

/**
 * What every report golive writes now holds beyond the schema (which stays
 * lenient for reports written before): a code on every warn and fail, a
 * skipReason on every skip, and neither elsewhere.
 */
export function expectFindingFields(report: Report): void {
  for (const check of report.runs.flatMap((run) => run.checks)) {
    const where = `${check.id} (${check.status})`;
    if (check.status === 'warn' || check.status === 'fail') {
      expect(check.code, where).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
      expect(check.evidence, `${where}: evidence`).toBeDefined();
    }
    else expect(check.code, where).toBeUndefined();
    if (check.status === 'skip') expect(check.skipReason, where).toMatch(/^(not-applicable|need-failed|offline|not-selected)$/);
    else expect(check.skipReason, where).toBeUndefined();
  }
}
