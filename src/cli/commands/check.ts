import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CHECK_IDS } from '../../../checks/ids.js';
import { checkConfigs } from '../../check-run.js';
import { parseEnvFile, SECRET_NAME } from '../../config/interpolate.js';
import { closest } from '../../config/schema-errors.js';
import { DEFAULT_OPTIONS, type RunOptions } from '../../pipeline/context.js';
import { exitCodeFor } from '../../report/build.js';
import { reporters, type ReporterName } from '../../reporters/index.js';
import { UsageError } from '../errors.js';
import { isInteractive, writeFileAtomic, type Io } from '../io.js';

const FORMATS = ['pretty', 'plain', 'json', 'junit', 'markdown', 'github'] as const satisfies readonly ReporterName[];
type Format = (typeof FORMATS)[number];

/** Artifact flags and the reporter each one writes. */
const ARTIFACTS = { json: 'json', junit: 'junit', markdown: 'markdown' } as const satisfies Record<string, ReporterName>;

export const CHECK_OPTIONS = {
  offline: { type: 'boolean' },
  only: { type: 'string', multiple: true },
  skip: { type: 'string', multiple: true },
  format: { type: 'string' },
  json: { type: 'string' },
  junit: { type: 'string' },
  markdown: { type: 'string' },
  'env-file': { type: 'string', multiple: true },
  timeout: { type: 'string' },
  strict: { type: 'boolean' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function selectors(values: readonly string[] | undefined, flag: string): string[] {
  const list = (values ?? []).flatMap((value) => value.split(',')).map((value) => value.trim()).filter(Boolean);
  for (const selector of list) {
    if (!CHECK_IDS.some((id) => id.startsWith(selector))) {
      const suggestion = closest(selector, CHECK_IDS);
      throw new UsageError(
        `--${flag} ${selector} names no check${suggestion ? `; did you mean ${suggestion}?` : ''} (golive explain --list shows the ids)`,
        'check',
      );
    }
  }
  return list;
}

function parseTimeout(value: string | undefined): number {
  if (value === undefined) return DEFAULT_OPTIONS.timeoutMs;
  const timeout = Number(value);
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > 600_000) {
    throw new UsageError(`--timeout takes milliseconds from 1 to 600000; got ${value}`, 'check');
  }
  return timeout;
}

async function loadEnvFiles(files: readonly string[], io: Io): Promise<Record<string, string>> {
  const merged: Record<string, string> = {};
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(path.resolve(io.cwd, file), 'utf8');
    } catch (error) {
      throw new UsageError(`--env-file ${file} cannot be read (${(error as NodeJS.ErrnoException).code})`, 'check');
    }
    Object.assign(merged, parseEnvFile(text));
  }
  return merged;
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
  const fromFiles = await loadEnvFiles(values['env-file'] ?? [], io);
  const secrets = Object.entries(fromFiles).flatMap(([name, value]) => (SECRET_NAME.test(name) ? [value] : []));
  const configs = positionals.length > 0 ? positionals : ['golive.yaml'];

  const live = format === 'pretty' && interactive ? await import('../tasklist.js') : undefined;
  const view = live?.startTaskList(configs, io);
  const { report, redactor } = await checkConfigs({
    configs: configs.map((config) => path.resolve(io.cwd, config)),
    options,
    env: { ...io.env, ...fromFiles },
    secrets,
    onEvent: view?.onEvent,
  });
  for (const [index, run] of report.runs.entries()) run.config.path = configs[index]!;
  await view?.done();

  for (const [flag, reporter] of Object.entries(ARTIFACTS) as [keyof typeof ARTIFACTS, ReporterName][]) {
    const file = values[flag];
    if (file) await writeFileAtomic(path.resolve(io.cwd, file), redactor.text(reporters[reporter](report, { color: false })));
  }
  io.stdout.write(redactor.text(reporters[format](report, { color: format === 'pretty' && interactive })));
  return exitCodeFor(report);
}
