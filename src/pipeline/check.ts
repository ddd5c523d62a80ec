import type { RunContext } from './context.js';

export type Status = 'pass' | 'warn' | 'fail' | 'skip';

/** Why a check was skipped (the report's `skipReason`). */
export type SkipReason = 'not-applicable' | 'need-failed' | 'offline' | 'not-selected';

/** Non-secret facts behind a result: fingerprints, kids, HTTP status, timings. */
export type Evidence = Record<string, unknown>;

/**
 * What a check returns. `output` is handed to the checks that need this one
 * and never reaches a report; everything else does.
 */
export interface CheckOutcome<O = unknown> {
  status: Status;
  /** The finding, stable for scripts (e.g. `key-not-registered`): set on every warn and fail. */
  code?: string;
  message?: string;
  hint?: string;
  evidence?: Evidence;
  /** Set when the check does not apply to this config (its dependents may still run). */
  notApplicable?: boolean;
  /** Why a skip did not run (set by notApplicable() and by the runner). */
  skipReason?: SkipReason;
  output?: O;
  /** Secret values this check learnt (e.g. interpolated from variables): redacted from all output from now on. */
  secrets?: string[];
}

/** What `golive explain <id>` prints for a check, and its SARIF rule help. */
export interface Explanation {
  /** What the check verifies, precisely enough to predict its result. */
  verifies: string;
  /** Why it usually fails, most common first. */
  causes: readonly string[];
  /** What to do, one actionable sentence each, with exact commands where they help. */
  fixes: readonly string[];
  /** Ids of related checks. */
  seeAlso?: readonly string[];
}

/**
 * The shape every check has, whatever its context, ids and outputs: what
 * the runner, the registry and the documentation read.
 */
export interface AnyCheck {
  readonly id: string;
  readonly title: string;
  /** Checks that must pass or warn (or not apply) before this one runs. */
  readonly needs: readonly AnyCheck[];
  /** Checks this one waits for and learns from, but runs after whatever their status. */
  readonly optionalNeeds: readonly AnyCheck[];
  /** Talks to the network: skipped by --offline. */
  readonly online: boolean;
  readonly explain: Explanation;
  // Method syntax: a check's own deps type stays assignable to the common shape.
  run(ctx: never, deps: never, optional: never): Promise<CheckOutcome<unknown>> | CheckOutcome<unknown>;
}

/** What a check hands to the checks that need it. */
export type OutputOf<C> = C extends { run(...args: never[]): infer R } ? (Awaited<R> extends CheckOutcome<infer O> ? O : never) : never;

/**
 * The outputs of a check's needs, keyed by id. Checks that may not apply
 * (signing for a secret client, transport on TLS) have `| undefined` in
 * their output, so a dependent must handle that case.
 */
export type Deps<N extends readonly AnyCheck[]> = { [C in N[number] as C['id']]: OutputOf<C> };

/** What a check learns of an optional need: how it ended, and its output when it passed, warned or did not apply. */
export interface Settled<O> {
  status: Status;
  /** The need's finding when it warned or failed. */
  code?: string;
  /** Why it did not run, when it was skipped. */
  skipReason?: SkipReason;
  output: O | undefined;
}

export type OptionalDeps<N extends readonly AnyCheck[]> = { [C in N[number] as C['id']]: Settled<OutputOf<C>> };

/** Every id in a registry, and the outputs map keyed by them. */
export type IdOf<R extends readonly AnyCheck[]> = R[number]['id'];
export type OutputsOf<R extends readonly AnyCheck[]> = { [C in R[number] as C['id']]: OutputOf<C> };

export interface Check<Ctx, I extends string, O, N extends readonly AnyCheck[], ON extends readonly AnyCheck[]> extends AnyCheck {
  readonly id: I;
  readonly needs: N;
  readonly optionalNeeds: ON;
  /** The runner passes `optional` always; a test of a check without optional needs may leave it out. */
  run(ctx: Ctx, deps: Deps<N>, optional?: OptionalDeps<ON>): Promise<CheckOutcome<O>> | CheckOutcome<O>;
}

/** What a check file writes: the check, its documentation and its run, in one place. */
export interface CheckDefinition<Ctx, I extends string, O, N extends readonly AnyCheck[], ON extends readonly AnyCheck[]> {
  id: I;
  title: string;
  needs: N;
  optionalNeeds?: ON;
  online?: boolean;
  explain: Explanation;
  run(ctx: Ctx, deps: Deps<N>, optional: OptionalDeps<ON>): Promise<CheckOutcome<O>> | CheckOutcome<O>;
}

/**
 * `defineCheck` for checks that run in context `Ctx`: a registry whose
 * checks need more than RunContext (`golive diff`'s) makes its own.
 */
export function checkDefiner<Ctx extends RunContext>() {
  return function define<const I extends string, O, const N extends readonly AnyCheck[], const ON extends readonly AnyCheck[] = readonly []>(
    definition: CheckDefinition<Ctx, I, O, N, ON>,
  ): Check<Ctx, I, O, N, ON> {
    return {
      ...definition,
      // No optional needs given: ON is then its default, readonly [].
      optionalNeeds: definition.optionalNeeds ?? ([] as readonly AnyCheck[] as ON),
      online: definition.online ?? false,
    };
  };
}

/** Defines a `golive check` check. */
export const defineCheck = checkDefiner<RunContext>();

interface Explained {
  code: string;
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
  return { status: 'skip', message: `not applicable: ${reason}`, notApplicable: true, skipReason: 'not-applicable' };
}
