import { describe, expect, it } from 'vitest';
import { defineCheck, type Check } from '../../src/pipeline/check.js';
import { DEFAULT_OPTIONS, type RunOptions } from '../../src/pipeline/context.js';
import { runCheckGraph, type RunnerEvent } from '../../src/pipeline/runner.js';
import { Redactor } from '../../src/redact.js';

// The runner is generic over check ids; these tests borrow real ids for a synthetic graph.
function check(id: string, needs: string[], run: (...args: never[]) => unknown, online = false): Check {
  return defineCheck({ id: id as never, title: `Title of ${id}`, needs: needs as never[], run: run as never, online }) as Check;
}

const ok = () => ({ status: 'pass' as const, output: 'out' });

async function run(checks: Check[], options: Partial<RunOptions> = {}, redactor = new Redactor()) {
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
    expect(byId.b).toMatchObject({ status: 'skip', message: 'needs a, which failed' });
    expect(byId.c).toMatchObject({ status: 'skip', message: 'needs b, which was skipped' });
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
    expect(byId.a).toMatchObject({ status: 'fail', message: 'internal error in check a', internalError: true });
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
    const { byId } = await run([check('a', [], ok, true), check('b', ['a'], ok)], { offline: true });
    expect(byId.a).toMatchObject({ status: 'skip', message: '--offline: network checks not run' });
    expect(byId.b).toMatchObject({ status: 'skip', message: 'needs a, which was skipped' });
  });

  it('--only runs the selected checks and their needs; --skip skips by prefix', async () => {
    const checks = [check('x.a', [], ok), check('x.b', ['x.a'], ok), check('y.c', [], ok), check('y.d', ['x.b'], ok)];
    const only = await run(checks, { only: ['x.b'] });
    expect(only.results.map((r) => r.status)).toEqual(['pass', 'pass', 'skip', 'skip']);
    expect(only.byId['y.c']!.message).toBe('not selected by --only x.b');
    const skip = await run(checks, { skip: ['x'] });
    expect(skip.results.map((r) => r.status)).toEqual(['skip', 'skip', 'pass', 'skip']);
    expect(skip.byId['x.a']!.message).toBe('skipped by --skip');
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

  it('refuses a registry whose check comes before its need', async () => {
    await expect(run([check('b', ['a'], ok), check('a', [], ok)])).rejects.toThrow(/needs a, which is not registered before it/);
  });
});
