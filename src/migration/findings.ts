import { fail, pass, warn, type CheckOutcome, type Evidence } from '../pipeline/check.js';
import type { Finding } from '../pipeline/findings.js';

/**
 * One difference a migration check found: its finding (code and text, from
 * the check's table), which field, and its value on each side (a
 * description such as "length 43" where the value is secret).
 */
export interface Difference extends Finding {
  severity: 'fail' | 'warn';
  field: string;
  uat?: string;
  production?: string;
}

/**
 * A check's outcome from its differences: fail when any failed, else warn
 * when any warned, else pass. Every difference is listed, failures first,
 * so one run shows everything to fix; the first one's code leads. The
 * messages are clauses, joined into one sentence.
 */
export function findingsOutcome(differences: readonly Difference[], evidence: Evidence, passMessage: string): CheckOutcome<undefined> {
  const ordered = [...differences.filter((found) => found.severity === 'fail'), ...differences.filter((found) => found.severity === 'warn')];
  const [lead] = ordered;
  if (lead === undefined) return pass(undefined, evidence, passMessage);
  const result = {
    code: lead.code,
    message: `${ordered.map((found) => found.message).join('; ')}.`,
    hint: [...new Set(ordered.map((found) => found.hint))].join(' '),
    evidence: {
      ...evidence,
      findings: ordered.map(({ severity, code, field, uat, production }) => ({
        severity,
        code,
        field,
        ...(uat !== undefined && { uat }),
        ...(production !== undefined && { production }),
      })),
    },
  };
  return lead.severity === 'fail' ? fail(result) : warn(result);
}
