import type { Argv } from 'yargs';
import type { ReporterName } from '../reporters/index.js';
import { isValidTimeout, MAX_TIMEOUT_MS } from '../pipeline/context.js';
import { DEFAULT_GO_LIVE_DAYS } from '../migration/go-live.js';
import { FAULTS } from '../sandbox/faults.js';
import { UsageError } from './errors.js';
import type { Io } from './io.js';

/*
 * golive's command line, declared for yargs: every command, its positionals,
 * options, examples and epilogue. Declarations only: a command's code loads
 * when it runs (`load`), so `check --offline` starts without the others.
 */

export const STDOUT_FORMATS = ['pretty', 'plain', 'json', 'junit', 'markdown', 'github'] as const satisfies readonly ReporterName[];
export const REPORT_FORMATS = [...STDOUT_FORMATS, 'sarif', 'html'] as const satisfies readonly ReporterName[];
export const AUTH_METHODS = ['private_key_jwt', 'client_secret_post', 'client_secret_basic'] as const;
export const CONNECTIVITIES = ['tls', 'mtls'] as const;
export const ENVIRONMENTS = ['uat', 'production'] as const;
export const SCHEMA_NAMES = ['config', 'report'] as const;

export type Run<A> = (args: A, io: Io) => Promise<number>;

export interface GoliveCommand<A = unknown> {
  /** yargs' command string: the name, then its positionals. */
  command: string;
  describe: string;
  builder: (yargs: Argv) => Argv<A>;
  /** What a wrong number of positionals means for this command, in its own words. */
  arity: (positionals: readonly string[]) => string;
  load: () => Promise<Run<A>>;
}

/** The parsed arguments of a command, as its run function receives them. */
type OptionsOf<B> = B extends (yargs: Argv) => Argv<infer A> ? A : never;

function define<A>(command: GoliveCommand<A>): GoliveCommand<A> {
  return command;
}

/** The wrong-count message of a command that takes no positionals. */
function noArguments(name: string): (positionals: readonly string[]) => string {
  return (positionals) => `golive ${name} takes no arguments; got ${positionals.join(' ')}`;
}

const EXIT_CODES = 'Exit codes: 0 ready, 1 a check failed, 2 usage error, 3 internal error.';

/** A value from a fixed list, in golive's words when it is not on it (yargs' `choices` shows the list in help and completion). */
function oneOf<T extends string>(flag: string, allowed: readonly T[]): (value: unknown) => T {
  return (value) => {
    const text = String(lastOf(value));
    if (!(allowed as readonly string[]).includes(text)) throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}; got ${text}`);
    return text as T;
  };
}

/** A flag given twice keeps its last value, as a single-valued flag should. */
function lastOf(value: unknown): unknown {
  return Array.isArray(value) ? value.at(-1) : value;
}

/** A repeatable flag: `--env-file a --env-file b`, always a list. */
function list(value: unknown): string[] {
  return (Array.isArray(value) ? value : [value]).map(String);
}

/** `--only a,b --only c`: the ids or prefixes, comma-separated or repeated. */
function commaList(value: unknown): string[] {
  return list(value)
    .flatMap((item) => item.split(','))
    .map((item) => item.trim())
    .filter(Boolean);
}

function timeout(value: unknown): number {
  const text = String(lastOf(value));
  const ms = /^\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!isValidTimeout(ms)) throw new UsageError(`--timeout takes milliseconds from 1 to ${MAX_TIMEOUT_MS}; got ${text}`);
  return ms;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The go-live day as the start of that UTC day, from YYYY-MM-DD. */
export function parseGoLive(value: unknown): number {
  const text = String(lastOf(value)).trim();
  const match = ISO_DATE.exec(text);
  const ms = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : Number.NaN;
  // Date.UTC rolls 2026-02-31 over to March: a date that does not round-trip does not exist.
  if (!match || new Date(ms).toISOString().slice(0, 10) !== text) {
    throw new UsageError(`--go-live takes a date as YYYY-MM-DD, e.g. 2026-12-01; got ${String(lastOf(value))}`);
  }
  return ms;
}

function path(value: unknown): string {
  return String(lastOf(value));
}

/** The report options `check` and `diff` share. */
function artifactOptions<T>(yargs: Argv<T>, reads: string) {
  return yargs
    .option('format', {
      type: 'string',
      choices: STDOUT_FORMATS,
      coerce: oneOf('format', STDOUT_FORMATS),
      describe: 'what stdout gets (default: pretty on a terminal, plain otherwise)',
      requiresArg: true,
    })
    .option('json', { type: 'string', coerce: path, describe: 'write the JSON report (for support triage)', requiresArg: true })
    .option('junit', { type: 'string', coerce: path, describe: 'write a JUnit XML report (for CI)', requiresArg: true })
    .option('markdown', { type: 'string', coerce: path, describe: 'write a Markdown summary (e.g. $GITHUB_STEP_SUMMARY)', requiresArg: true })
    .option('html', { type: 'string', coerce: path, describe: 'write a self-contained HTML report (opens offline, no script)', requiresArg: true })
    .option('sarif', {
      type: 'string',
      coerce: path,
      describe: `write SARIF 2.1.0 (GitHub code scanning annotates the config). An artifact never replaces a file ${reads}; links, FIFOs and devices such as /dev/stdout are written through`,
      requiresArg: true,
    })
    .option('env-file', { type: 'string', coerce: list, describe: 'load variables before interpolation (repeatable)', requiresArg: true })
    .option('strict', { type: 'boolean', describe: 'warnings fail the run' })
    .option('debug', { type: 'boolean', describe: 'show internal error details (secrets stay redacted)' });
}

function checkOptions(yargs: Argv) {
  return artifactOptions(
    yargs
      .usage('Usage: golive check [configs..] [options]\n\nRuns the checks on each config (default: ./golive.yaml) and reports pass/fail.')
      .positional('configs', { type: 'string', array: true, describe: 'config files (YAML or JSON)' })
      .option('offline', { type: 'boolean', describe: 'no network: config and credential checks only' })
      .option('only', {
        type: 'string',
        coerce: commaList,
        describe: 'run these checks (id or prefix, e.g. signing; comma-separated or repeated) and what they need',
        requiresArg: true,
      })
      .option('skip', { type: 'string', coerce: commaList, describe: 'do not run these checks (nor what needs them)', requiresArg: true }),
    'the run reads',
  )
    .option('curl', { type: 'boolean', describe: 'after the report, a curl command per network step on stderr (secrets as $VARS)' })
    .option('timeout', { type: 'string', coerce: timeout, describe: `milliseconds per network step (default 10000, at most ${MAX_TIMEOUT_MS})`, requiresArg: true })
    .example([
      ['golive check prod.yaml', 'the full check before go-live'],
      ['golive check --offline config/*.yaml --junit out/junit.xml', 'a CI gate without secrets'],
      ['golive check uat.yaml --env-file .env --only config,signing', 'some checks, variables from a file'],
      ['golive check prod.yaml --format json > report.json', 'a report to send to support'],
    ])
    .epilogue(EXIT_CODES);
}

export type CheckArgs = OptionsOf<typeof checkOptions>;

export const check = define<CheckArgs>({
  command: 'check [configs..]',
  describe: 'run the checks (default config: ./golive.yaml)',
  builder: checkOptions,
  arity: () => 'golive check takes config files',
  load: async () => (await import('./commands/check.js')).checkCommand,
});

function diffOptions(yargs: Argv) {
  return artifactOptions(
    yargs
      .usage(
        'Usage: golive diff <uat-config> <production-config> [options]\n\n' +
          'Migration review before go-live: compares the UAT config with the Production config, without any network call. ' +
          'Production must have its own client id, secret, signing and transport credentials (compared by SHA-256 digest and fingerprint, never printed); ' +
          'point only at Production hosts (no UAT host, sandbox CA or sandbox-issued certificate); and have certificates valid through the go-live window. ' +
          'Changes in region, connectivity, auth method, scopes, signing algorithm and probe are listed as warnings to confirm.',
      )
      .positional('uat', { type: 'string', demandOption: true, describe: 'the UAT config' })
      .positional('production', { type: 'string', demandOption: true, describe: 'the Production config' })
      .option('go-live', {
        type: 'string',
        coerce: parseGoLive,
        describe: `the go-live day, YYYY-MM-DD (default: ${DEFAULT_GO_LIVE_DAYS} days from today); a certificate expiring before it fails, within 60 days after it (Thredd's renewal notice) fails, within a longer expiryWarningDays warns`,
        requiresArg: true,
      }),
    'the review reads',
  )
    .example([
      ['golive diff uat.yaml prod.yaml --env-file uat.env --env-file prod.env', 'both configs read the same variables, so give the Production ones their own names'],
      ['golive diff uat.yaml prod.yaml --go-live 2026-12-01 --markdown review.md', ''],
    ])
    .epilogue(
      'Checks: migration.load, migration.environments, migration.credentials, migration.endpoints, migration.changes, migration.lifetimes (golive explain <id> describes each).\n\n' +
        EXIT_CODES,
    );
}

export type DiffArgs = OptionsOf<typeof diffOptions>;

export const diff = define<DiffArgs>({
  command: 'diff <uat> <production>',
  describe: 'migration review of a UAT config and its Production twin (--go-live DATE)',
  builder: diffOptions,
  arity: (positionals) => `golive diff takes two configs, UAT first and Production second; got ${positionals.length}`,
  load: async () => (await import('./commands/diff.js')).diffCommand,
});

function watchOptions(yargs: Argv) {
  return yargs
    .usage(
      'Usage: golive watch <configs..> [options]\n\n' +
        'Go-live day: runs the checks every --interval (one run at a time) and prints one line per run, or what changed: ' +
        'a check\'s status, a certificate entering the expiry warning horizon, a kid added to or removed from the JWKS, a clock-skew jump over 5 s. ' +
        'Ctrl-C or --until prints a summary and exits with the status of the last run.',
    )
    .positional('configs', { type: 'string', array: true, demandOption: true, describe: 'config files (YAML or JSON)' })
    .option('interval', { type: 'string', coerce: path, describe: 'time between the starts of two runs: 30s, 5m, 1h or seconds (default 60s, at least 5s)', requiresArg: true })
    .option('until', { type: 'string', coerce: path, describe: 'stop at this time: HH:MM today (local) or an ISO time, e.g. 2026-12-01T18:00', requiresArg: true })
    .option('exit-on-fail', { type: 'boolean', describe: 'stop at the first failing run (exit 1)' })
    .option('json', { type: 'string', coerce: path, describe: 'keep the last JSON report in this file (replaced whole after each run, never over an input)', requiresArg: true })
    .option('env-file', { type: 'string', coerce: list, describe: 'load variables before interpolation (repeatable)', requiresArg: true })
    .option('timeout', { type: 'string', coerce: timeout, describe: `milliseconds per network step (default 10000, at most ${MAX_TIMEOUT_MS})`, requiresArg: true })
    .option('strict', { type: 'boolean', describe: 'warnings fail a run' })
    .option('debug', { type: 'boolean', describe: 'show internal error details (secrets stay redacted)' })
    .example([
      ['golive watch prod.yaml --env-file prod.env --interval 30s --until 18:00', 'watch the cut-over until 6 pm'],
      ['golive watch prod.yaml --exit-on-fail --json last.json', 'stop at the first failure, keep its report'],
    ])
    .epilogue('Exit codes: 0 the last run passed, 1 it failed (or no run finished), 2 usage error, 3 internal error.');
}

export type WatchArgs = OptionsOf<typeof watchOptions>;

export const watch = define<WatchArgs>({
  command: 'watch <configs..>',
  describe: 'go-live day: re-run the checks on an interval, print changes',
  builder: watchOptions,
  arity: (positionals) => (positionals.length === 0 ? 'golive watch needs config files, e.g. golive watch prod.yaml' : 'golive watch takes config files'),
  load: async () => (await import('./commands/watch.js')).watchCommand,
});

function reportOptions(yargs: Argv) {
  return yargs
    .usage(
      'Usage: golive report <report.json> [options]\n\n' +
        'Renders a JSON report (from golive check --json FILE or --format json) for a person: the same view golive check prints. ' +
        'The file is first validated against the report schema (golive schema report); a file that is not a golive report is refused with the reason.',
    )
    .positional('file', { type: 'string', demandOption: true, describe: 'the JSON report' })
    .option('format', {
      type: 'string',
      choices: REPORT_FORMATS,
      coerce: oneOf('format', REPORT_FORMATS),
      describe: 'what stdout gets (default: pretty on a terminal, plain otherwise)',
      requiresArg: true,
    })
    .option('exit-code', { type: 'boolean', describe: "exit with the report's own result: 0 ready, 1 not ready" })
    .option('debug', { type: 'boolean', describe: 'show internal error details' })
    .example([
      ['golive report report.json', ''],
      ['golive report report.json --format markdown > ticket.md', ''],
      ['golive report report.json --format sarif > golive.sarif', ''],
      ['golive report report.json --format html > report.html', ''],
    ])
    .epilogue(
      'Exit codes: 0 shown (whatever the report says, unless --exit-code), 1 the report is not ready (with --exit-code), ' +
        '2 usage error, or a missing file or one that is not a valid golive report.',
    );
}

export type ReportArgs = OptionsOf<typeof reportOptions>;

export const report = define<ReportArgs>({
  command: 'report <file>',
  describe: 'render a received JSON report for a person',
  builder: reportOptions,
  arity: (positionals) =>
    positionals.length === 0 ? 'golive report needs the report file, e.g. golive report report.json' : `golive report takes one report file; got ${positionals.join(' ')}`,
  load: async () => (await import('./commands/report.js')).reportCommand,
});

function initOptions(yargs: Argv) {
  return yargs
    .usage(
      'Usage: golive init [file] [options]\n\n' +
        'Writes a commented starter config (default: ./golive.yaml). Never overwrites an existing file without --force. ' +
        'Secrets are written as ${VARS}, never inline.',
    )
    .positional('file', { type: 'string', describe: 'the config to write' })
    .option('auth-method', { type: 'string', choices: AUTH_METHODS, coerce: oneOf('auth-method', AUTH_METHODS), describe: 'default private_key_jwt', requiresArg: true })
    .option('connectivity', { type: 'string', choices: CONNECTIVITIES, coerce: oneOf('connectivity', CONNECTIVITIES), describe: 'default tls', requiresArg: true })
    .option('environment', { type: 'string', choices: ENVIRONMENTS, coerce: oneOf('environment', ENVIRONMENTS), describe: 'default uat', requiresArg: true })
    .option('from-postman', {
      type: 'string',
      coerce: path,
      describe:
        'import a Postman environment (or collection) export: maps its variables, moves key material into certs/<environment>/ (keys 0600), ' +
        'writes secrets as the variables below; lists every inference, guess and unknown variable (names only). ' +
        '--auth-method, --connectivity and --environment override what it infers',
      requiresArg: true,
    })
    .option('force', { type: 'boolean', describe: 'overwrite existing files' })
    .option('stdout', { type: 'boolean', describe: 'print the config instead of writing it' })
    .conflicts('stdout', 'from-postman')
    .example([
      ['golive init prod.yaml --environment production --connectivity mtls', ''],
      ['golive init uat.yaml --from-postman "Thredd UAT.postman_environment.json"', ''],
    ])
    .epilogue(
      'Variables: uat reads THREDD_ORG_ID, THREDD_CLIENT_ID, THREDD_CLIENT_SECRET, SIGNING_KEY_PASSPHRASE and TRANSPORT_KEY_PASSPHRASE; ' +
        'production reads its own, THREDD_PROD_ORG_ID, THREDD_PROD_CLIENT_ID, THREDD_PROD_CLIENT_SECRET, PROD_SIGNING_KEY_PASSPHRASE and ' +
        'PROD_TRANSPORT_KEY_PASSPHRASE: golive diff reads both configs in one environment, so shared names would give both the same values.\n\n' +
        'Exit codes: 0 written, 1 the file exists (nothing written), 2 usage error, 3 internal error.',
    );
}

export type InitArgs = OptionsOf<typeof initOptions>;

export const init = define<InitArgs>({
  command: 'init [file]',
  describe: 'write a commented starter config (or --from-postman ENV.json)',
  builder: initOptions,
  arity: (positionals) => `golive init takes one file; got ${positionals.join(' ')}`,
  load: async () => (await import('./commands/init.js')).initCommand,
});

function schemaOptions(yargs: Argv) {
  return yargs
    .usage('Usage: golive schema [config|report]\n\nPrints the JSON Schema of the config file (default) or of the JSON report.')
    .positional('name', {
      type: 'string',
      choices: SCHEMA_NAMES,
      coerce: (value: unknown) => {
        const text = String(value);
        if (!(SCHEMA_NAMES as readonly string[]).includes(text)) throw new UsageError(`golive schema takes config or report; got ${text}`);
        return text as (typeof SCHEMA_NAMES)[number];
      },
    })
    .epilogue('For editor completion, add to the top of a YAML config:\n  # yaml-language-server: $schema=./node_modules/golive/schemas/config.schema.json');
}

export type SchemaArgs = OptionsOf<typeof schemaOptions>;

export const schema = define<SchemaArgs>({
  command: 'schema [name]',
  describe: 'print a JSON Schema',
  builder: schemaOptions,
  arity: (positionals) => `golive schema takes config or report; got ${positionals.join(' ')}`,
  load: async () => (await import('./commands/schema.js')).schemaCommand,
});

function explainOptions(yargs: Argv) {
  return yargs
    .usage('Usage: golive explain <check-id> | --list\n\nWhat a check verifies, the common causes of a failure and how to fix them.')
    .positional('id', { type: 'string', describe: 'a check id, e.g. token.request' })
    .option('list', { type: 'boolean', describe: 'every check id with its title' })
    .example([
      ['golive explain token.request', ''],
      ['golive explain --list', ''],
    ]);
}

export type ExplainArgs = OptionsOf<typeof explainOptions>;

export const explain = define<ExplainArgs>({
  command: 'explain [id]',
  describe: 'what a check verifies, common causes, fixes (--list for all)',
  builder: explainOptions,
  arity: (positionals) => `golive explain takes one check id; got ${positionals.join(' ')}`,
  load: async () => (await import('./commands/explain.js')).explainCommand,
});

const FAULT_WIDTH = Math.max(...Object.keys(FAULTS).map((name) => name.length));

function sandboxOptions(yargs: Argv) {
  return yargs
    .usage(
      'Usage: golive sandbox [--dir DIR] [--force] [--fault NAME..]\n\n' +
        'Starts a local Thredd-like platform on 127.0.0.1 (a real OAuth2 authorization server, an organisation JWKS host, TLS and mTLS API hosts), ' +
        'writes ready configs for each auth method and connectivity, and runs until Ctrl-C.',
    )
    .option('dir', {
      type: 'string',
      coerce: path,
      describe:
        'folder for certificates, keys and configs (default: a fresh temporary folder, removed on exit). A folder a sandbox wrote before is reused: ' +
        'its keys are kept, its configs rewritten. Files there that a sandbox did not write (or that were changed since) are never overwritten: ' +
        'golive lists them, writes nothing and exits 1',
      requiresArg: true,
    })
    .option('force', { type: 'boolean', describe: 'overwrite those files in DIR instead' })
    .implies('force', 'dir')
    .option('fault', { type: 'string', coerce: commaList, describe: 'switch a fault on (repeatable, or comma-separated); the faults are listed below', requiresArg: true })
    .example([
      ['golive sandbox --dir ./sandbox --fault key-not-in-jwks', ''],
      ['golive check --env-file ./sandbox/sandbox.env ./sandbox/private_key_jwt-tls.yaml', ''],
    ])
    .epilogue(`Faults:\n${Object.entries(FAULTS).map(([name, description]) => `  ${name.padEnd(FAULT_WIDTH)}  ${description}`).join('\n')}`);
}

export type SandboxArgs = OptionsOf<typeof sandboxOptions>;

export const sandbox = define<SandboxArgs>({
  command: 'sandbox',
  describe: 'start a local Thredd-like platform and write configs for it',
  builder: sandboxOptions,
  arity: noArguments('sandbox'),
  load: async () => (await import('./commands/sandbox.js')).sandboxCommand,
});

function demoOptions(yargs: Argv) {
  return yargs.usage(
    'Usage: golive demo\n\nStarts the local sandbox, checks its private_key_jwt config (it passes), then switches on one fault (key not in JWKS) and checks again to show the diagnosis.',
  );
}

export type DemoArgs = OptionsOf<typeof demoOptions>;

export const demo = define<DemoArgs>({
  command: 'demo',
  describe: 'sandbox + check in one process: the first thing to try',
  builder: demoOptions,
  arity: noArguments('demo'),
  load: async () => (await import('./commands/demo.js')).demoCommand,
});

/** A command as the parser handles it, whatever its arguments. */
export interface AnyCommand extends Pick<GoliveCommand, 'command' | 'describe' | 'arity'> {
  builder: (yargs: Argv) => unknown;
  load: () => Promise<Run<never>>;
}

/** In the order `golive --help` lists them. */
export const COMMANDS: readonly AnyCommand[] = [check, diff, watch, report, init, schema, explain, sandbox, demo];


export const MAIN_USAGE = `golive — will this API client configuration work against the platform, and if not, why?

Usage: golive <command> [options]`;

export const MAIN_EXAMPLES: [string, string][] = [
  ['golive demo', 'see a passing check and a diagnosed fault'],
  ['golive init prod.yaml --environment production', 'start a config'],
  ['golive check prod.yaml', 'the full check before go-live'],
  ['golive check --offline --junit junit.xml cfg/*.yaml', 'a CI gate without secrets'],
  ['golive check prod.yaml --json report.json', 'a report to send to support'],
  ['golive diff uat.yaml prod.yaml', 'review before asking for Production'],
  ['golive report report.json', 'read a report a customer sent'],
  ['golive explain jwks.signing-key', ''],
];

export const MAIN_EPILOGUE = `Exit codes: 0 ready (warnings allowed unless --strict), 1 a check failed, 2 usage error, 3 internal error (rerun with --debug).
Run "golive <command> --help" for a command's options; "golive completion >> ~/.bashrc" completes commands, options, check ids and sandbox faults.`;
