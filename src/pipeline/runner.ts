import type { Check, CheckOutcome, Status } from './check.js';
import type { RunContext } from './context.js';
import type { CheckReport } from '../report/types.js';
import type { Redactor } from '../redact.js';
import { selects } from './select.js';

/** What the task-list view and other observers see while a run goes on. */
export type RunnerEvent =
  | { type: 'start'; id: string; title: string }
  | { type: 'end'; result: CheckReport };

export interface RunnerInput {
  checks: readonly Check[];
  context: RunContext;
  redactor: Redactor;
  onEvent?: (event: RunnerEvent) => void;
}

export interface RunnerResult {
  results: CheckReport[];
  /** Outputs of the checks that passed or warned, by id: for building the report's config summary. */
  outputs: ReadonlyMap<string, unknown>;
}

interface Settled {
  report: CheckReport;
  outcome: CheckOutcome;
}

function matches(id: string, selectors: readonly string[]): boolean {
  return selectors.some((selector) => selects(selector, id));
}

/** With --only, the selected checks plus everything they need, transitively. */
function selectedIds(checks: readonly Check[], only: readonly string[]): Set<string> {
  const byId = new Map(checks.map((check) => [check.id, check]));
  const selected = new Set<string>();
  const add = (id: string): void => {
    if (selected.has(id)) return;
    selected.add(id);
    for (const need of byId.get(id as Check['id'])?.needs ?? []) add(need);
  };
  for (const check of checks) if (only.length === 0 || matches(check.id, only)) add(check.id);
  return selected;
}

function skipped(message: string): CheckOutcome {
  return { status: 'skip', message };
}

/**
 * Runs a graph of checks: each starts as soon as its needs have passed or
 * warned (or do not apply), concurrently with every other ready check.
 * Results come back in registry order, whatever order they finished in.
 */
export async function runCheckGraph({ checks, context, redactor, onEvent }: RunnerInput): Promise<RunnerResult> {
  const { options } = context;
  const selected = selectedIds(checks, options.only);
  const settled = new Map<string, Promise<Settled>>();
  const outputs = new Map<string, unknown>();

  const execute = async (check: Check): Promise<Settled> => {
    const needs = await Promise.all(check.needs.map((need) => settled.get(need)!));
    const started = performance.now();
    let outcome: CheckOutcome;
    let internalError = false;
    const blocked = needs.find(({ outcome: need }) => !isSatisfied(need));
    if (!selected.has(check.id)) {
      outcome = skipped(`not selected by --only ${options.only.join(',')}`);
    } else if (matches(check.id, options.skip)) {
      outcome = skipped('skipped by --skip');
    } else if (blocked) {
      const why = blocked.outcome.status === 'fail' ? 'failed' : `was skipped`;
      outcome = skipped(`needs ${blocked.report.id}, which ${why}`);
    } else if (check.online && options.offline) {
      outcome = skipped('--offline: network checks not run');
    } else {
      onEvent?.({ type: 'start', id: check.id, title: check.title });
      const deps = Object.fromEntries(needs.map(({ report }) => [report.id, outputs.get(report.id)]));
      try {
        outcome = await check.run(context, deps as never);
      } catch (error) {
        internalError = true;
        outcome = {
          status: 'fail',
          message: `internal error in check ${check.id}`,
          hint: 'This is a golive bug, not a problem with your config: rerun with --debug and report it.',
          evidence: options.debug ? { error: describeError(error) } : undefined,
        };
      }
    }
    for (const secret of outcome.secrets ?? []) redactor.add(secret);
    if (outcome.status === 'pass' || outcome.status === 'warn' || outcome.notApplicable) {
      outputs.set(check.id, outcome.output);
    }
    const report: CheckReport = {
      id: check.id,
      title: check.title,
      status: outcome.status,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      ...(outcome.message !== undefined && { message: redactor.text(outcome.message) }),
      ...(outcome.hint !== undefined && { hint: redactor.text(outcome.hint) }),
      ...(outcome.evidence !== undefined && { evidence: redactor.deep(outcome.evidence) }),
      needs: [...check.needs],
      ...(internalError && { internalError: true }),
    };
    onEvent?.({ type: 'end', result: report });
    return { report, outcome };
  };

  for (const check of checks) {
    for (const need of check.needs) {
      if (!settled.has(need)) throw new Error(`check ${check.id} needs ${need}, which is not registered before it`);
    }
    settled.set(check.id, execute(check));
  }
  const all = await Promise.all(checks.map((check) => settled.get(check.id)!));
  return { results: all.map(({ report }) => report), outputs };
}

function isSatisfied(outcome: CheckOutcome): boolean {
  const ok: Status[] = ['pass', 'warn'];
  return ok.includes(outcome.status) || outcome.notApplicable === true;
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}
