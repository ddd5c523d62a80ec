import { runChecksWithRedactor } from '../../api.js';
import { closest } from '../../text/closest.js';
import type { RunOptions } from '../../pipeline/context.js';
import { CHECK_IDS } from '../../../checks/index.js';
import { selectorCandidates, unknownSelector } from '../../pipeline/select.js';
import { exitCodeFor } from '../../report/build.js';
import type { Report } from '../../report/types.js';
import { UsageError } from '../errors.js';
import { artifactsFrom, render, writeArtifacts, type Artifacts } from '../render.js';
import type { CheckArgs, STDOUT_FORMATS } from '../spec.js';
import { InputLedger } from '../../files/input.js';
import { guardArtifacts, loadEnvFiles } from '../inputs.js';
import { isInteractive, type Io } from '../io.js';

export type Format = (typeof STDOUT_FORMATS)[number];

/** --only/--skip: every id or prefix must select a check. */
function selectors(list: readonly string[] | undefined, flag: string): string[] {
  if (list === undefined) return [];
  const unknown = unknownSelector(list, CHECK_IDS);
  if (unknown !== undefined) {
    const suggestion = closest(unknown, selectorCandidates(CHECK_IDS));
    throw new UsageError(
      `--${flag} ${unknown} names no check${suggestion ? `; did you mean ${suggestion}?` : ''} (golive explain --list shows the ids)`,
      'check',
    );
  }
  return [...list];
}

export interface RenderedRun {
  configs: readonly string[];
  options: RunOptions;
  env: Record<string, string | undefined>;
  secrets: readonly string[];
  format: Format;
  interactive: boolean;
  /** --curl: after the report, a curl command per network step on stderr. */
  curl?: boolean;
}

/**
 * Runs the checks with the live task list (on a terminal), writes the
 * artifacts, prints the report. `inputs` records every file the run reads,
 * so that no artifact replaces one of them.
 */
export async function runAndRender(run: RenderedRun, io: Io, artifacts: Artifacts = {}, inputs = new InputLedger()): Promise<Report> {
  const live = run.format === 'pretty' && run.interactive ? await import('../tasklist.js') : undefined;
  const view = live?.startTaskList(run.configs);
  const { report, redactor, resolved } = await inputs.track(() =>
    runChecksWithRedactor(run.configs, {
      ...run.options,
      cwd: io.cwd,
      env: run.env,
      secrets: run.secrets,
      onEvent: view?.onEvent,
    }),
  );
  try {
    await view?.done();
    io.stdout.write(redactor.text(await render(run.format, report, run.format === 'pretty' && run.interactive)));
    if (run.curl) {
      // stderr, so stdout stays the chosen format alone (--format json or junit stays parseable).
      const { curlScript } = await import('../../curl/script.js');
      io.stderr.write(redactor.text(curlScript(report, { resolved, timeoutMs: run.options.timeoutMs, cwd: io.cwd })));
    }
    await writeArtifacts(artifacts, report, redactor, io, 'check', inputs);
  } catch (error) {
    throw redactor.scrub(error);
  }
  return report;
}

export async function checkCommand(args: CheckArgs, io: Io): Promise<number> {
  const interactive = isInteractive(io);
  const format = args.format ?? (interactive ? 'pretty' : 'plain');
  const options: RunOptions = {
    offline: args.offline ?? false,
    timeoutMs: args.timeout,
    strict: args.strict ?? false,
    debug: args.debug ?? false,
    only: selectors(args.only, 'only'),
    skip: selectors(args.skip, 'skip'),
  };
  const envFiles = args['env-file'] ?? [];
  const inputs = new InputLedger();
  const { variables: fromFiles, secrets } = await inputs.track(() => loadEnvFiles(envFiles, io, 'check'));
  const configs = args.configs && args.configs.length > 0 ? args.configs : ['golive.yaml'];

  const artifacts = artifactsFrom(args);
  await guardArtifacts(
    artifacts,
    [...configs.map((file) => ({ file, role: 'the config' })), ...envFiles.map((file) => ({ file, role: 'the --env-file' }))],
    io,
    'check',
  );
  const report = await runAndRender(
    { configs, options, env: { ...io.env, ...fromFiles }, secrets, format, interactive, curl: args.curl ?? false },
    io,
    artifacts,
    inputs,
  );
  return exitCodeFor(report);
}
