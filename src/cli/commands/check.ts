import path from 'node:path';
import { parseArgs } from 'node:util';
import { runChecksWithRedactor } from '../../api.js';
import { closest } from '../../text/closest.js';
import type { RunOptions } from '../../pipeline/context.js';
import { SELECTOR_CANDIDATES, unknownSelector } from '../../pipeline/select.js';
import { exitCodeFor } from '../../report/build.js';
import type { Report } from '../../report/types.js';
import type { ReporterName } from '../../reporters/index.js';
import { UsageError } from '../errors.js';
import { render } from '../render.js';
import { guardArtifacts, loadEnvFiles } from '../inputs.js';
import { isInteractive, writeFileAtomic, type Io } from '../io.js';

const FORMATS = ['pretty', 'plain', 'json', 'junit', 'markdown', 'github'] as const satisfies readonly ReporterName[];
export type Format = (typeof FORMATS)[number];

/** Artifact flags and the reporter each one writes. */
const ARTIFACTS = { json: 'json', junit: 'junit', sarif: 'sarif', markdown: 'markdown' } as const satisfies Record<string, ReporterName>;

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
  const unknown = unknownSelector(list);
  if (unknown !== undefined) {
    const suggestion = closest(unknown, SELECTOR_CANDIDATES);
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
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > 600_000) {
    throw new UsageError(`--timeout takes milliseconds from 1 to 600000; got ${value}`, 'check');
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

/** Runs the checks with the live task list (on a terminal), writes the artifacts, prints the report. */
export async function runAndRender(run: RenderedRun, io: Io, artifacts: Partial<Record<keyof typeof ARTIFACTS, string>> = {}): Promise<Report> {
  const live = run.format === 'pretty' && run.interactive ? await import('../tasklist.js') : undefined;
  const view = live?.startTaskList(run.configs, io);
  const { report, redactor } = await runChecksWithRedactor(run.configs, {
    ...run.options,
    cwd: io.cwd,
    env: run.env,
    secrets: run.secrets,
    onEvent: view?.onEvent,
  });
  await view?.done();
  io.stdout.write(redactor.text(await render(run.format, report, run.format === 'pretty' && run.interactive)));
  if (run.curl) {
    // stderr, so stdout stays the chosen format alone (--format json or junit stays parseable).
    const { curlScript } = await import('../../curl/script.js');
    io.stderr.write(redactor.text(await curlScript(report, { env: run.env, timeoutMs: run.options.timeoutMs, cwd: io.cwd })));
  }
  for (const [flag, file] of Object.entries(artifacts) as [keyof typeof ARTIFACTS, string][]) {
    try {
      await writeFileAtomic(path.resolve(io.cwd, file), redactor.text(await render(ARTIFACTS[flag], report, false)));
    } catch (error) {
      throw new UsageError(`--${flag} ${file} cannot be written (${(error as NodeJS.ErrnoException).code ?? 'error'}); the report above is complete`, 'check');
    }
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
  const format = (values.format ?? (interactive ? 'pretty' : 'plain')) as Format;
  if (!FORMATS.includes(format)) {
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')}; got ${values.format}`, 'check');
  }
  const options: RunOptions = {
    offline: values.offline ?? false,
    timeoutMs: parseTimeout(values.timeout),
    strict: values.strict ?? false,
    debug: values.debug ?? false,
    only: selectors(values.only, 'only'),
    skip: selectors(values.skip, 'skip'),
  };
  const { variables: fromFiles, secrets } = await loadEnvFiles(values['env-file'] ?? [], io, 'check');
  const configs = positionals.length > 0 ? positionals : ['golive.yaml'];

  const artifacts: Partial<Record<keyof typeof ARTIFACTS, string>> = {};
  for (const flag of Object.keys(ARTIFACTS) as (keyof typeof ARTIFACTS)[]) {
    const file = values[flag];
    if (file) artifacts[flag] = file;
  }
  guardArtifacts(artifacts, [...configs, ...(values['env-file'] ?? [])], io, 'check');
  const report = await runAndRender(
    { configs, options, env: { ...io.env, ...fromFiles }, secrets, format, interactive, curl: values.curl ?? false },
    io,
    artifacts,
  );
  return exitCodeFor(report);
}
