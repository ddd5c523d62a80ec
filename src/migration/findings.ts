import { fail, pass, warn, type CheckOutcome, type Evidence } from '../pipeline/check.js';

/**
 * One difference a migration check found: which field, its value on each
 * side (a description such as "length 43" where the value is secret), and
 * what to do about it.
 */
export interface Finding {
  severity: 'fail' | 'warn';
  field: string;
  uat?: string;
  production?: string;
  /** One clause, without a final full stop. */
  message: string;
  hint: string;
}

/**
 * A check's outcome from its findings: fail when any failed, else warn when
 * any warned, else pass. Every finding is listed, failures first, so one run
 * shows everything to fix.
 */
export function findingsOutcome(findings: readonly Finding[], evidence: Evidence, passMessage: string): CheckOutcome<undefined> {
  if (findings.length === 0) return pass(undefined, evidence, passMessage);
  const ordered = [...findings.filter((finding) => finding.severity === 'fail'), ...findings.filter((finding) => finding.severity === 'warn')];
  const result = {
    message: `${ordered.map((finding) => finding.message).join('; ')}.`,
    hint: [...new Set(ordered.map((finding) => finding.hint))].join(' '),
    evidence: {
      ...evidence,
      findings: ordered.map(({ severity, field, uat, production }) => ({
        severity,
        field,
        ...(uat !== undefined && { uat }),
        ...(production !== undefined && { production }),
      })),
    },
  };
  return ordered[0]!.severity === 'fail' ? fail(result) : warn(result);
}
