import type { CheckId } from '../../checks/ids.js';
import type { CheckOutputs } from '../../checks/outputs.js';
import type { RunContext } from './context.js';

export type Status = 'pass' | 'warn' | 'fail' | 'skip';

/** Non-secret facts behind a result: fingerprints, kids, HTTP status, timings. */
export type Evidence = Record<string, unknown>;

/**
 * What a check returns. `output` is handed to the checks that need this one
 * and never reaches a report; everything else does.
 */
export interface CheckOutcome<O = unknown> {
  status: Status;
  message?: string;
  hint?: string;
  evidence?: Evidence;
  /** Set when the check does not apply to this config (its dependents may still run). */
  notApplicable?: boolean;
  output?: O;
  /** Secret values this check learnt (e.g. interpolated from variables): redacted from all output from now on. */
  secrets?: string[];
}

/**
 * The outputs of a check's needs, keyed by id. Checks that may not apply
 * (signing for a secret client, transport on TLS) type their output with
 * `| undefined` in CheckOutputs, so a dependent must handle that case.
 */
export type Deps<N extends CheckId> = { [K in N]: CheckOutputs[K] };

export interface Check<I extends CheckId = CheckId, N extends CheckId = CheckId> {
  id: I;
  title: string;
  needs: readonly N[];
  /** Talks to the network: skipped by --offline. */
  online?: boolean;
  run(ctx: RunContext, deps: Deps<N>): Promise<CheckOutcome<CheckOutputs[I]>> | CheckOutcome<CheckOutputs[I]>;
}

export function defineCheck<I extends CheckId, const N extends CheckId = never>(check: Check<I, N>): Check<I, N> {
  return check;
}

interface Explained {
  message: string;
  hint: string;
  evidence?: Evidence;
}

export function pass<O>(output?: O, evidence?: Evidence, message?: string): CheckOutcome<O> {
  return { status: 'pass', output, evidence, message };
}

export function warn<O>(finding: Explained, output?: O): CheckOutcome<O> {
  return { status: 'warn', ...finding, output };
}

export function fail(finding: Explained): CheckOutcome<never> {
  return { status: 'fail', ...finding };
}

export function notApplicable(reason: string): CheckOutcome<never> {
  return { status: 'skip', message: `not applicable: ${reason}`, notApplicable: true };
}
