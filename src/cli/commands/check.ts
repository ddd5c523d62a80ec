import { parseArgs } from 'node:util';
import { runChecksWithRedactor } from '../../api.js';
import { closest } from '../../text/closest.js';
import { isValidTimeout, MAX_TIMEOUT_MS, type RunOptions } from '../../pipeline/context.js';
import { CHECK_IDS } from '../../../checks/index.js';
import { selectorCandidates, unknownSelector } from '../../pipeline/select.js';
import { exitCodeFor } from '../../report/build.js';
import type { Report } from '../../report/types.js';
import { UsageError } from '../errors.js';
import { artifactsFrom, parseFormat, render, STDOUT_FORMATS, writeArtifacts, type Artifacts } from '../render.js';
import { InputLedger } from '../../files/input.js';
import { guardArtifacts, loadEnvFiles } from '../inputs.js';
import { isInteractive, type Io } from '../io.js';

export type Format = (typeof STDOUT_FORMATS)[number];


export const CHECK_OPTIONS = {
  offline: { type: 'boolean' },
  only: { type: 'string', multiple: true },
  skip: { type: 'string', multiple: true },
  format: { type: 'string' },
  json: { type: 'string' },
  junit: { type: 'string' },
  sarif: { type: 'string' },
  markdown: { type: 'string' },
  'env-file': { type: 'string', multiple: true },
  timeout: { type: 'string' },
  strict: { type: 'boolean' },
  curl: { type: 'boolean' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function selectors(values: readonly string[] | undefined, flag: string): string[] {
  const list = (values ?? []).flatMap((value) => value.split(',')).map((value) => value.trim()).filter(Boolean);
  const unknown = unknownSelector(list, CHECK_IDS);
  if (unknown !== undefined) {
    const suggestion = closest(unknown, selectorCandidates(CHECK_IDS));
    throw new UsageError(
      `--${flag} ${unknown} names no check${suggestion ? `; did you mean ${suggestion}?` : ''} (golive explain --list shows the ids)`,
      'check',
    );
  }
  return list;
}

function parseTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const timeout = Number(value);
  if (!isValidTimeout(timeout)) {
    throw new UsageError(`--timeout takes milliseconds from 1 to ${MAX_TIMEOUT_MS}; got ${value}`, 'check');
  }
  return timeout;
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

export async function checkCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: CHECK_OPTIONS, allowPositionals: true, strict: true });
  if (values.help) {
    const { helpFor } = await import('../help.js');
    io.stdout.write(helpFor('check'));
    return 0;
  }
  const interactive = isInteractive(io);
  const format = parseFormat(values.format, STDOUT_FORMATS, interactive, 'check');
  const options: RunOptions = {
    offline: values.offline ?? false,
    timeoutMs: parseTimeout(values.timeout),
    strict: values.strict ?? false,
    debug: values.debug ?? false,
    only: selectors(values.only, 'only'),
    skip: selectors(values.skip, 'skip'),
  };
  const envFiles = values['env-file'] ?? [];
  const inputs = new InputLedger();
  const { variables: fromFiles, secrets } = await inputs.track(() => loadEnvFiles(envFiles, io, 'check'));
  const configs = positionals.length > 0 ? positionals : ['golive.yaml'];

  const artifacts = artifactsFrom(values);
  await guardArtifacts(
    artifacts,
    [...configs.map((file) => ({ file, role: 'the config' })), ...envFiles.map((file) => ({ file, role: 'the --env-file' }))],
    io,
    'check',
  );
  const report = await runAndRender(
    { configs, options, env: { ...io.env, ...fromFiles }, secrets, format, interactive, curl: values.curl ?? false },
    io,
    artifacts,
    inputs,
  );
  return exitCodeFor(report);
}
