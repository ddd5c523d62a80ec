import { parseArgs } from 'node:util';
import { reviewMigration, DEFAULT_GO_LIVE_DAYS } from '../../migration/run.js';
import { DEFAULT_OPTIONS } from '../../pipeline/context.js';
import { exitCodeFor } from '../../report/build.js';
import { UsageError } from '../errors.js';
import { artifactsFrom, parseFormat, render, STDOUT_FORMATS, writeArtifacts } from '../render.js';
import { InputLedger } from '../../files/input.js';
import { guardArtifacts, loadEnvFiles } from '../inputs.js';
import { isInteractive, type Io } from '../io.js';


const DIFF_OPTIONS = {
  'go-live': { type: 'string' },
  format: { type: 'string' },
  json: { type: 'string' },
  junit: { type: 'string' },
  sarif: { type: 'string' },
  markdown: { type: 'string' },
  'env-file': { type: 'string', multiple: true },
  strict: { type: 'boolean' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const DIFF_HELP = `Usage: golive diff <uat-config> <production-config> [options]

Migration review before go-live: compares the UAT config with the Production
config, without any network call. Production must have its own client id,
secret, signing and transport credentials (compared by SHA-256 digest and
fingerprint, never printed); point only at Production hosts (no UAT host,
sandbox CA or sandbox-issued certificate); and have certificates valid through
the go-live window. Changes in region, connectivity, auth method, scopes,
signing algorithm and probe are listed as warnings to confirm.

Options:
  --go-live DATE             the go-live day, YYYY-MM-DD (default: ${DEFAULT_GO_LIVE_DAYS} days from today);
                             a certificate expiring before it fails, within
                             expiryWarningDays (default 30) after it warns
  --format FORMAT            stdout: pretty|plain|json|junit|markdown|github
                             (default: pretty on a terminal, plain otherwise)
  --json FILE                write the JSON report
  --junit FILE               write a JUnit XML report (for CI)
  --markdown FILE            write a Markdown summary (e.g. $GITHUB_STEP_SUMMARY)
  --sarif FILE               write SARIF 2.1.0 (GitHub code scanning annotates the config)
                             (an artifact never replaces a file the review reads)
  --env-file FILE            load variables before interpolation (repeatable);
                             both configs read the same variables, so give the
                             Production ones their own names
  --strict                   warnings (e.g. listed changes) fail the run
  --debug                    show internal error details (secrets stay redacted)
  -h, --help                 this help

Checks: migration.load, migration.environments, migration.credentials,
migration.endpoints, migration.changes, migration.lifetimes
(golive explain <id> describes each).

Examples:
  golive diff uat.yaml prod.yaml --env-file uat.env --env-file prod.env
  golive diff uat.yaml prod.yaml --go-live 2026-12-01 --markdown review.md

Exit codes: 0 ready, 1 a check failed, 2 usage error, 3 internal error.
`;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The go-live day as the start of that UTC day, from YYYY-MM-DD. */
export function parseGoLive(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = ISO_DATE.exec(value.trim());
  const ms = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : Number.NaN;
  // Date.UTC rolls 2026-02-31 over to March: a date that does not round-trip does not exist.
  if (!match || new Date(ms).toISOString().slice(0, 10) !== value.trim()) {
    throw new UsageError(`--go-live takes a date as YYYY-MM-DD, e.g. 2026-12-01; got ${value}`, 'diff');
  }
  return ms;
}


/** `golive diff <uat> <prod>`: the migration review; returns the exit code. */
export async function diffCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: DIFF_OPTIONS, allowPositionals: true, strict: true });
  if (values.help) {
    io.stdout.write(DIFF_HELP);
    return 0;
  }
  if (positionals.length !== 2) {
    throw new UsageError(`diff takes two configs, UAT first and Production second; got ${positionals.length}`, 'diff');
  }
  const [uat, production] = positionals as [string, string];
  const interactive = isInteractive(io);
  const format = parseFormat(values.format, STDOUT_FORMATS, interactive, 'diff');
  const goLive = parseGoLive(values['go-live']);
  const artifacts = artifactsFrom(values);
  const envFiles = values['env-file'] ?? [];
  await guardArtifacts(
    artifacts,
    [{ file: uat, role: 'the UAT config' }, { file: production, role: 'the Production config' }, ...envFiles.map((file) => ({ file, role: 'the --env-file' }))],
    io,
    'diff',
  );
  // Every file the review reads is recorded, so that no artifact replaces one of them.
  const inputs = new InputLedger();
  const { report, redactor } = await inputs.track(async () => {
    const { variables: fromFiles, secrets } = await loadEnvFiles(envFiles, io, 'diff');
    return reviewMigration({
      uat,
      production,
      cwd: io.cwd,
      ...(goLive !== undefined && { goLive }),
      options: { ...DEFAULT_OPTIONS, strict: values.strict ?? false, debug: values.debug ?? false },
      env: { ...io.env, ...fromFiles },
      secrets,
    });
  });
  try {
    io.stdout.write(redactor.text(await render(format, report, format === 'pretty' && interactive)));
    await writeArtifacts(artifacts, report, redactor, io, 'diff', inputs);
  } catch (error) {
    throw redactor.scrub(error);
  }
  return exitCodeFor(report);
}
