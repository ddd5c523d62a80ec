import type { AnyCheck, CheckOutcome, OutputOf, SkipReason, Status } from './check.js';
import type { RunContext } from './context.js';
import type { CheckReport } from '../report/types.js';
import type { Redactor } from '../redact.js';
import { selects } from './select.js';

/** What the task-list view and other observers see while a run goes on. */
export type RunnerEvent =
  | { type: 'start'; id: string; title: string }
  | { type: 'end'; result: CheckReport };

export interface RunnerInput<Ctx extends RunContext> {
  /** The registry: report order, every check after the checks it needs. */
  checks: readonly AnyCheck[];
  context: Ctx;
  redactor: Redactor;
  onEvent?: (event: RunnerEvent) => void;
}

export interface RunnerResult {
  results: CheckReport[];
  /** The output of a check that passed or warned (or did not apply): for building the report's config summary. */
  output<C extends AnyCheck>(check: C): OutputOf<C> | undefined;
  /** Every secret the checks learnt (already added to the redactor). */
  secrets: string[];
}

interface Settled {
  report: CheckReport;
  outcome: CheckOutcome;
  /** For a check that did not run because of a need: the check at the root of that chain, and why it did not pass. */
  root?: { id: string; failed: boolean; reason: string; skipReason: SkipReason };
}

function matches(id: string, selectors: readonly string[]): boolean {
  return selectors.some((selector) => selects(selector, id));
}

/** With --only, the selected checks plus everything they need or learn from, transitively. */
function selectedIds(checks: readonly AnyCheck[], only: readonly string[]): Set<string> {
  const selected = new Set<string>();
  const add = (check: AnyCheck): void => {
    if (selected.has(check.id)) return;
    selected.add(check.id);
    for (const need of [...check.needs, ...check.optionalNeeds]) add(need);
  };
  for (const check of checks) if (only.length === 0 || matches(check.id, only)) add(check);
  return selected;
}

function skipped(message: string, skipReason: SkipReason): CheckOutcome {
  return { status: 'skip', message, skipReason };
}

function isSatisfied(outcome: CheckOutcome): boolean {
  const ok: Status[] = ['pass', 'warn'];
  return ok.includes(outcome.status) || outcome.notApplicable === true;
}

/** Why a check that did not pass stops its dependents, in the words of a skip message. */
function rootOf(settled: Settled): NonNullable<Settled['root']> {
  if (settled.root) return settled.root;
  const { report } = settled;
  if (report.status === 'fail') return { id: report.id, failed: true, reason: 'failed', skipReason: 'need-failed' };
  // --only selects every need of what it selects, so a need not selected was skipped by --skip.
  const skipReason = report.skipReason ?? 'not-selected';
  return { id: report.id, failed: false, reason: skipReason === 'not-selected' ? 'was skipped by --skip' : 'was skipped', skipReason };
}

/**
 * The skip of a check whose needs did not all pass: it names the need that
 * failed (the root cause), not a need that was itself skipped because of it.
 */
function blockedBy(needs: readonly Settled[]): { outcome: CheckOutcome; root: NonNullable<Settled['root']> } | undefined {
  const blocked = needs.filter(({ outcome }) => !isSatisfied(outcome));
  if (blocked.length === 0) return undefined;
  // A need that failed itself is the most direct cause; else the first need whose chain ends in a failure.
  const direct = blocked.find(({ report }) => report.status === 'fail') ?? blocked.find((need) => rootOf(need).failed) ?? blocked[0]!;
  const root = rootOf(direct);
  const message =
    root.id === direct.report.id ? `needs ${root.id}, which ${root.reason}` : `needs ${direct.report.id}, which could not run: ${root.id} ${root.reason}`;
  return { outcome: skipped(message, root.skipReason), root };
}

/**
 * Runs a registry of checks: each starts as soon as its needs have passed or
 * warned (or do not apply) and its optional needs have ended, concurrently
 * with every other ready check. Results come back in registry order,
 * whatever order they finished in.
 *
 * A check is started when the last of its needs settles, not awaited from
 * the outset: a run of many configs would otherwise hold a suspended
 * function and its promises per check of every config.
 */
export function runCheckGraph<Ctx extends RunContext>({ checks, context, redactor, onEvent }: RunnerInput<Ctx>): Promise<RunnerResult> {
  const { options } = context;
  const registered = new Set<string>();
  // The checks waiting on each check, and how many checks each waits on still.
  const dependents = new Map<string, AnyCheck[]>();
  const waitingOn = new Map<AnyCheck, number>();
  for (const check of checks) {
    const needIds = new Set([...check.needs, ...check.optionalNeeds].map((need) => need.id));
    for (const id of needIds) {
      if (!registered.has(id)) return Promise.reject(new Error(`check ${check.id} needs ${id}, which is not registered before it`));
      dependents.get(id)!.push(check);
    }
    registered.add(check.id);
    dependents.set(check.id, []);
    waitingOn.set(check, needIds.size);
  }
  const selected = selectedIds(checks, options.only);
  const settled = new Map<string, Settled>();
  const outputs = new Map<string, unknown>();

  const conclude = (check: AnyCheck, started: number, outcome: CheckOutcome, root?: Settled['root'], internalError = false): Settled => {
    for (const secret of outcome.secrets ?? []) redactor.add(secret);
    if (isSatisfied(outcome)) outputs.set(check.id, outcome.output);
    const report: CheckReport = {
      id: check.id,
      title: check.title,
      status: outcome.status,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      ...(outcome.code !== undefined && outcome.status !== 'pass' && outcome.status !== 'skip' && { code: outcome.code }),
      ...(outcome.status === 'skip' && outcome.skipReason !== undefined && { skipReason: outcome.skipReason }),
      ...(outcome.message !== undefined && { message: redactor.text(outcome.message) }),
      ...(outcome.hint !== undefined && { hint: redactor.text(outcome.hint) }),
      ...(outcome.evidence !== undefined && { evidence: redactor.deep(outcome.evidence) }),
      needs: check.needs.map((need) => need.id),
      ...(internalError && { internalError: true }),
    };
    onEvent?.({ type: 'end', result: report });
    return { report, outcome, ...(root && { root }) };
  };

  /** The check's result, once its needs have settled: at once when it does not run, else when its run ends. */
  const execute = (check: AnyCheck): Settled | Promise<Settled> => {
    const needs = check.needs.map((need) => settled.get(need.id)!);
    const started = performance.now();
    if (!selected.has(check.id)) return conclude(check, started, skipped(`not selected by --only ${options.only.join(',')}`, 'not-selected'));
    if (matches(check.id, options.skip)) return conclude(check, started, skipped('skipped by --skip', 'not-selected'));
    if (check.online && options.offline) return conclude(check, started, skipped('--offline: network checks not run', 'offline'));
    const blocked = blockedBy(needs);
    if (blocked) return conclude(check, started, blocked.outcome, blocked.root);
    onEvent?.({ type: 'start', id: check.id, title: check.title });
    const deps = Object.fromEntries(needs.map(({ report }) => [report.id, outputs.get(report.id)]));
    const learnt = Object.fromEntries(
      check.optionalNeeds.map((need) => {
        const { report } = settled.get(need.id)!;
        return [
          report.id,
          {
            status: report.status,
            ...(report.code !== undefined && { code: report.code }),
            ...(report.skipReason !== undefined && { skipReason: report.skipReason }),
            output: outputs.get(report.id),
          },
        ];
      }),
    );
    return runChecked(check, context, deps, learnt, options.debug).then(({ outcome, internalError }) =>
      conclude(check, started, outcome, undefined, internalError),
    );
  };

  return new Promise((resolve, reject) => {
    let left = checks.length;
    const done = (check: AnyCheck, result: Settled): void => {
      settled.set(check.id, result);
      for (const dependent of dependents.get(check.id)!) {
        const waiting = waitingOn.get(dependent)! - 1;
        waitingOn.set(dependent, waiting);
        if (waiting === 0) start(dependent);
      }
      if (--left > 0) return;
      const all = checks.map((each) => settled.get(each.id)!);
      resolve({
        results: all.map(({ report }) => report),
        output: (each) => outputs.get(each.id) as never,
        secrets: all.flatMap(({ outcome }) => outcome.secrets ?? []),
      });
    };
    const start = (check: AnyCheck): void => {
      try {
        const result = execute(check);
        if (result instanceof Promise) result.then((ended) => done(check, ended)).catch(reject);
        else done(check, result);
      } catch (error) {
        reject(error);
      }
    };
    if (left === 0) resolve({ results: [], output: () => undefined as never, secrets: [] });
    // Those that wait on nothing, picked before any starts: a check that ends at once starts its dependents itself.
    for (const check of checks.filter((each) => waitingOn.get(each) === 0)) start(check);
  });
}

/** A check's run, an exception turned into its internal-error fail. */
async function runChecked(
  check: AnyCheck,
  context: RunContext,
  deps: Record<string, unknown>,
  learnt: Record<string, unknown>,
  debug: boolean,
): Promise<{ outcome: CheckOutcome; internalError: boolean }> {
  try {
    return { outcome: await check.run(context as never, deps as never, learnt as never), internalError: false };
  } catch (error) {
    return {
      outcome: {
        status: 'fail',
        code: 'internal-error',
        message: `internal error in check ${check.id}`,
        hint: 'This is a golive bug, not a problem with your config: rerun with --debug and report it.',
        evidence: debug ? { error: describeError(error) } : undefined,
      },
      internalError: true,
    };
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}
