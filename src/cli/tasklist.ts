import { Listr, type ListrTask } from 'listr2';
import { CHECKS } from '../../checks/index.js';
import type { RunnerEvent } from '../pipeline/runner.js';
import type { CheckReport } from '../report/types.js';

/** Settles when its check's result arrives from the runner. */
class Pending {
  readonly promise: Promise<CheckReport>;
  resolve!: (result: CheckReport) => void;
  constructor() {
    this.promise = new Promise((resolve) => (this.resolve = resolve));
  }
}

class CheckFailed extends Error {}

/**
 * The live task list on a terminal: an adapter over the runner's events.
 * Checks never know it exists. It shows progress only: it is erased when
 * the run ends, so each check appears once, in the report printed after it.
 */
export function startTaskList(configs: readonly string[]) {
  const pending = configs.map(() => new Map(CHECKS.map((check) => [check.id as string, new Pending()])));
  const tasks: ListrTask[] = configs.map((config, index) => ({
    title: config,
    task: (_ctx, parent) =>
      parent.newListr(
        CHECKS.map((check) => ({
          title: check.title,
          task: async (_ctx, task) => {
            const result = await pending[index]!.get(check.id)!.promise;
            const detail = result.message ? `: ${result.message}` : '';
            if (result.status === 'skip') task.skip(`${check.title}: ${result.message ?? 'skipped'}`);
            else if (result.status === 'fail') throw new CheckFailed(`${check.title}${detail}`);
            else if (result.status === 'warn') task.title = `${check.title} ⚠ ${result.message ?? ''}`;
          },
        })),
        { concurrent: true, exitOnError: false, rendererOptions: { collapseSubtasks: false, collapseSkips: true } },
      ),
  }));
  const list = new Listr(tasks, {
    concurrent: true,
    exitOnError: false,
    rendererOptions: { collapseSubtasks: false, collapseErrors: false, clearOutput: true },
    registerSignalListeners: false,
  });
  const running = list.run().catch(() => undefined);
  return {
    onEvent(configIndex: number, event: RunnerEvent): void {
      if (event.type === 'end') pending[configIndex]?.get(event.result.id)?.resolve(event.result);
    },
    async done(): Promise<void> {
      await running;
    },
  };
}
