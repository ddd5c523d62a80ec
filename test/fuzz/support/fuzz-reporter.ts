import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';
import { STATE_DIR, type FuzzFigures, type Progress } from './state.js';

/**
 * Ends `npm run fuzz` with one line per target (cases run, failing cases,
 * distinct failures) and a total, for the closing note of a change. A test
 * process that died in a case (the watchdog killed it for a synchronous
 * hang, or it ran out of memory) has no test result: its figures so far and
 * the case it died in come from the progress file it kept.
 */
export default class FuzzReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    const figures: FuzzFigures[] = [];
    for (const module of modules) {
      for (const test of module.children.allTests()) {
        const fuzz = test.meta().fuzz;
        if (fuzz) figures.push(fuzz);
      }
    }
    const notes: string[] = [];
    for (const { progress, watchdogMs } of this.#died()) {
      // The case it died in is one more case, and one more failure.
      figures.push({ target: progress.target, subject: progress.subject, cases: progress.cases + 1, failedCases: progress.failedCases + 1, distinct: progress.failures.length + 1, seed: progress.seed, durationMs: 0, medianCaseMs: 0, maxCaseMs: 0 });
      const how = watchdogMs ? `killed by the watchdog: the case blocked the event loop for over ${watchdogMs} ms` : 'its test process died (out of memory or a native crash)';
      notes.push(
        `  ${progress.target}: ${how}, in case ${progress.cases + 1}: ${progress.current}`,
        ...progress.failures.map((failure) => `    ✗ ${failure.signature} — ${failure.count} case${failure.count === 1 ? '' : 's'}; first: ${failure.first}`),
      );
    }
    const width = Math.max(0, ...figures.map((figure) => figure.target.length));
    const lines = figures.map(
      (figure) =>
        `  ${figure.target.padEnd(width)}  ${String(figure.cases).padStart(6)} cases  ${String(figure.failedCases).padStart(5)} failures  ${String(figure.distinct).padStart(3)} distinct  ` +
        `${figure.durationMs ? `${(figure.durationMs / 1000).toFixed(1).padStart(6)} s` : '   died '}  seed ${figure.seed}  ${figure.subject}`,
    );
    const cases = figures.reduce((sum, figure) => sum + figure.cases, 0);
    const failures = figures.reduce((sum, figure) => sum + figure.failedCases, 0);
    const distinct = figures.reduce((sum, figure) => sum + figure.distinct, 0);
    process.stdout.write(
      `\nFuzz figures:\n${lines.join('\n')}\n${notes.map((line) => `${line}\n`).join('')}` +
        `fuzz total: ${cases} cases across ${figures.length} targets, ${failures} failures (${distinct} distinct)` +
        `${unhandledErrors.length > 0 ? `, ${unhandledErrors.length} unhandled errors` : ''}\n`,
    );
    rmSync(STATE_DIR, { recursive: true, force: true });
  }

  /** Progress files left behind: a target that finishes removes its own. */
  #died(): { progress: Progress; watchdogMs?: number }[] {
    let names: string[];
    try {
      names = readdirSync(STATE_DIR);
    } catch {
      return [];
    }
    return names.flatMap((name) => {
      const pid = /^progress-(\d+)\.json$/.exec(name)?.[1];
      if (!pid) return [];
      try {
        const progress = JSON.parse(readFileSync(path.join(STATE_DIR, name), 'utf8')) as Progress;
        const watchdog = names.includes(`watchdog-${pid}`) ? Number(readFileSync(path.join(STATE_DIR, `watchdog-${pid}`), 'utf8')) : undefined;
        return [{ progress, ...(watchdog !== undefined && { watchdogMs: watchdog }) }];
      } catch {
        return [];
      }
    });
  }
}
