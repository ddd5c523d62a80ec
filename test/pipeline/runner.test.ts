import { describe, expect, it } from 'vitest';
import { defineCheck, type AnyCheck } from '../../src/pipeline/check.js';
import { DEFAULT_OPTIONS, type RunOptions } from '../../src/pipeline/context.js';
import { runCheckGraph, type RunnerEvent } from '../../src/pipeline/runner.js';
import { Redactor } from '../../src/redact.js';

const EXPLAIN = { verifies: 'a synthetic check', causes: ['none'], fixes: ['none'] };

// Checks of a synthetic graph, by id: `needs` names checks made before (or, to test the registry's order, a stand-in).
const made = new Map<string, AnyCheck>();

function need(id: string): AnyCheck {
  return made.get(id) ?? defineCheck({ id, title: id, needs: [], explain: EXPLAIN, run: ok });
}

function check(id: string, needs: string[], run: (...args: never[]) => unknown, online = false, optionalNeeds: string[] = []): AnyCheck {
  const defined = defineCheck({
    id,
    title: `Title of ${id}`,
    needs: needs.map(need),
    optionalNeeds: optionalNeeds.map(need),
    explain: EXPLAIN,
    run: run as never,
    online,
  });
  made.set(id, defined);
  return defined;
}

const ok = () => ({ status: 'pass' as const, output: 'out' });

async function run(checks: AnyCheck[], options: Partial<RunOptions> = {}, redactor = new Redactor()) {
  const events: RunnerEvent[] = [];
  const result = await runCheckGraph({
    checks,
    context: { configPath: 'x.yaml', env: {}, options: { ...DEFAULT_OPTIONS, ...options }, now: () => 0, http: {} as never },
    redactor,
    onEvent: (event) => events.push(event),
  });
  return { ...result, events, byId: Object.fromEntries(result.results.map((r) => [r.id, r])) };
}

describe('runner', () => {
  it('runs independent checks concurrently and reports in registry order', async () => {
    const order: string[] = [];
    const slow = (id: string, ms: number) =>
      check(id, ['a'], async () => {
        await new Promise((resolve) => setTimeout(resolve, ms));
        order.push(id);
        return ok();
      });
    const started = performance.now();
    const { results } = await run([check('a', [], ok), slow('b', 150), slow('c', 10), slow('d', 150)]);
    const elapsed = performance.now() - started;
    expect(order).toEqual(['c', 'b', 'd']);
    expect(results.map((r) => r.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(elapsed).toBeLessThan(290);
  });

  it('hands a need’s output to its dependent', async () => {
    let seen: unknown;
    await run([
      check('a', [], () => ({ status: 'pass', output: { value: 42 } })),
      check('b', ['a'], (_ctx, deps) => {
        seen = (deps as Record<string, unknown>).a;
        return ok();
      }),
    ]);
    expect(seen).toEqual({ value: 42 });
  });

  it('skips a check whose need failed, naming the need', async () => {
    const { byId } = await run([
      check('a', [], () => ({ status: 'fail', message: 'broken', hint: 'fix' })),
      check('b', ['a'], ok),
      check('c', ['b'], ok),
    ]);
    expect(byId.b).toMatchObject({ status: 'skip', skipReason: 'need-failed', message: 'needs a, which failed' });
    // The root cause, not the need that was itself skipped because of it.
    expect(byId.c).toMatchObject({ status: 'skip', skipReason: 'need-failed', message: 'needs b, which could not run: a failed' });
  });

  it('names a need that failed before one that was skipped because of another', async () => {
    const { byId } = await run([
      check('a', [], () => ({ status: 'fail', code: 'broken', message: 'broken', hint: 'fix' })),
      check('b', ['a'], ok),
      check('c', [], () => ({ status: 'fail', code: 'down', message: 'down', hint: 'fix' })),
      check('d', ['b', 'c'], ok),
    ]);
    expect(byId.d).toMatchObject({ status: 'skip', skipReason: 'need-failed', message: 'needs c, which failed' });
    expect(byId.a).toMatchObject({ code: 'broken' });
  });

  it('runs a check after its optional needs, whatever their status, and hands it their status and output', async () => {
    let seen: unknown;
    const { byId } = await run([
      check('a', [], () => ({ status: 'fail', code: 'broken', message: 'broken', hint: 'fix', output: 'never handed on' })),
      check('b', [], () => ({ status: 'warn', code: 'meh', message: 'meh', hint: 'h', output: 'b-out' })),
      check('c', [], () => ({ status: 'skip', message: 'not applicable: x', notApplicable: true, skipReason: 'not-applicable' })),
      check(
        'd',
        [],
        (_ctx, _deps, optional) => {
          seen = optional;
          return ok();
        },
        false,
        ['a', 'b', 'c'],
      ),
    ]);
    expect(byId.d!.status).toBe('pass');
    expect(byId.d!.needs).toEqual([]);
    expect(seen).toEqual({
      a: { status: 'fail', code: 'broken', output: undefined },
      b: { status: 'warn', code: 'meh', output: 'b-out' },
      c: { status: 'skip', skipReason: 'not-applicable', output: undefined },
    });
  });

  it('with --only, also runs the optional needs of what it selects', async () => {
    const { byId } = await run([check('x.a', [], ok), check('y.b', [], ok, false, ['x.a'])], { only: ['y'] });
    expect(byId['x.a']!.status).toBe('pass');
  });

  it('reports the code of a warn or fail, never of a pass or skip', async () => {
    const { byId } = await run([
      check('a', [], () => ({ status: 'pass', code: 'fine' })),
      check('b', [], () => ({ status: 'warn', code: 'soon', message: 'm', hint: 'h' })),
    ]);
    expect(byId.a!.code).toBeUndefined();
    expect(byId.b!.code).toBe('soon');
  });

  it('runs dependents of a warning and of a check that does not apply', async () => {
    const { byId } = await run([
      check('a', [], () => ({ status: 'warn', message: 'm', hint: 'h', output: 1 })),
      check('b', [], () => ({ status: 'skip', message: 'not applicable: tls', notApplicable: true })),
      check('c', ['a', 'b'], ok),
    ]);
    expect(byId.c!.status).toBe('pass');
  });

  it('turns an exception into that check’s fail and goes on', async () => {
    const { byId } = await run([
      check('a', [], () => {
        throw new TypeError('boom');
      }),
      check('b', [], ok),
    ]);
    expect(byId.a).toMatchObject({ status: 'fail', code: 'internal-error', message: 'internal error in check a', internalError: true });
    expect(byId.a!.hint).toMatch(/--debug/);
    expect(byId.a!.evidence).toBeUndefined();
    expect(byId.b!.status).toBe('pass');
  });

  it('shows the stack of an internal error with --debug, redacted', async () => {
    const redactor = new Redactor(['hunter2-secret']);
    const { byId } = await run(
      [
        check('a', [], () => {
          throw new Error('failed with hunter2-secret');
        }),
      ],
      { debug: true },
      redactor,
    );
    expect(String(byId.a!.evidence?.error)).toMatch(/Error: failed with \[redacted\]/);
  });

  it('skips online checks with --offline', async () => {
    const { byId } = await run([check('a', [], ok, true), check('b', ['a'], ok), check('c', ['a'], ok, true)], { offline: true });
    expect(byId.a).toMatchObject({ status: 'skip', skipReason: 'offline', message: '--offline: network checks not run' });
    expect(byId.b).toMatchObject({ status: 'skip', skipReason: 'offline', message: 'needs a, which was skipped' });
    expect(byId.c).toMatchObject({ status: 'skip', skipReason: 'offline', message: '--offline: network checks not run' });
  });

  it('--only runs the selected checks and their needs; --skip skips by prefix', async () => {
    const checks = [check('x.a', [], ok), check('x.b', ['x.a'], ok), check('y.c', [], ok), check('y.d', ['x.b'], ok)];
    const only = await run(checks, { only: ['x.b'] });
    expect(only.results.map((r) => r.status)).toEqual(['pass', 'pass', 'skip', 'skip']);
    expect(only.byId['y.c']).toMatchObject({ skipReason: 'not-selected', message: 'not selected by --only x.b' });
    const skip = await run(checks, { skip: ['x'] });
    expect(skip.results.map((r) => r.status)).toEqual(['skip', 'skip', 'pass', 'skip']);
    expect(skip.byId['x.a']).toMatchObject({ skipReason: 'not-selected', message: 'skipped by --skip' });
    expect(skip.byId['y.d']).toMatchObject({ skipReason: 'not-selected', message: 'needs x.b, which was skipped by --skip' });
  });

  it('redacts secrets a check declares from every later result', async () => {
    const { byId } = await run([
      check('a', [], () => ({ status: 'pass', secrets: ['s3cret-value'] })),
      check('b', ['a'], () => ({ status: 'fail', message: 'got s3cret-value back', hint: 'h', evidence: { body: 's3cret-value' } })),
    ]);
    expect(byId.b!.message).toBe('got [redacted] back');
    expect(byId.b!.evidence).toEqual({ body: '[redacted]' });
  });

  it('emits start and end events, one end per check', async () => {
    const { events } = await run([check('a', [], ok), check('b', ['a'], () => ({ status: 'fail', message: 'm', hint: 'h' })), check('c', ['b'], ok)]);
    expect(events.filter((e) => e.type === 'end')).toHaveLength(3);
    expect(events.filter((e) => e.type === 'start').map((e) => (e as { id: string }).id)).toEqual(['a', 'b']);
  });

  it('ends each check once when its needs end at once, and starts a check only when its last need has ended', async () => {
    const runs: string[] = [];
    const counted = (id: string) => () => (runs.push(id), ok());
    const checks = [check('s.a', [], counted('s.a')), check('s.b', ['s.a'], counted('s.b')), check('t.c', [], counted('t.c')), check('t.d', ['s.b', 't.c'], counted('t.d'))];
    const { events, results } = await run(checks, { skip: ['s'] });
    expect(events.filter((e) => e.type === 'end').map((e) => (e as { result: { id: string } }).result.id).sort()).toEqual(['s.a', 's.b', 't.c', 't.d']);
    expect(runs).toEqual(['t.c']);
    expect(results.map((r) => r.status)).toEqual(['skip', 'skip', 'pass', 'skip']);
  });

  it('refuses a registry whose check comes before its need', async () => {
    await expect(run([check('b', ['a'], ok), check('a', [], ok)])).rejects.toThrow(/needs a, which is not registered before it/);
  });
});
