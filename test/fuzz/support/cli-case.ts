import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe } from 'vitest';
import { CHECK_IDS } from '../../../checks/index.js';
import { MIGRATION_IDS } from '../../../checks/migration/index.js';
import { main } from '../../../src/cli/main.js';
import { anyText, edits, mutate, protoName, repeated, unicodeText, type Edit } from './arbitraries.js';
import { findCanaries, SECRET_ENV } from './canaries.js';
import { configText } from './configs.js';
import { caseFolder, changedFiles, confined, fifoReader, fuzzRoot, identity, isolateProcessCwd, snapshot, SPECIAL, strayFiles } from './files.js';
import { CONFIG_FIXTURES, FIXTURE, makeCredentials, writeTemplate } from './fixtures.js';
import { fuzzTarget, normaliseMessage, preview, sizeBound, sourceFrame, textSize, type Problem } from './harness.js';

/**
 * The CLI in-process: `main(argv, io)` with a fake Io (sinks for stdout and
 * stderr, a case folder as cwd, an environment holding canary secrets), on
 * argv drawn from golive's commands and flags mixed with arbitrary strings.
 *
 * Properties of every case: main() resolves, within the case bound, to 0, 1
 * or 2 (never 3, never a throw); nothing printed says "internal error" or
 * shows a stack trace (unless --debug); no canary in stdout, stderr or any
 * file written; no input of the run overwritten; nothing written relative to
 * process.cwd(); read-only commands write nothing.
 *
 * `check` always runs --offline (inserted after the command) and `sandbox`
 * and `demo` always get --help: the fuzz stays off the network and never
 * starts a server that runs until Ctrl-C.
 */

/** Stands for the case folder in an absolute path: `${CASE}/valid.yaml`. */
const CASE = '\u0001case\u0001';

const COMMANDS = ['check', 'diff', 'report', 'init', 'schema', 'explain', 'sandbox', 'demo', 'watch', 'completion'] as const;
const KNOWN = new Set<string>(['check', 'diff', 'report', 'init', 'schema', 'explain', 'sandbox', 'demo', 'watch', 'help', '--help', '-h', '--version', '-v']);

const GENERATED = { config: 'gen.yaml', configJson: 'gen.json', postman: 'gen-postman.json', report: 'gen-report.json' } as const;

const pathToken = fc.constantFrom(
  ...CONFIG_FIXTURES,
  FIXTURE.envFile, FIXTURE.postman, FIXTURE.collection, FIXTURE.report, FIXTURE.folder, FIXTURE.loop, FIXTURE.dangling, FIXTURE.signingKey, FIXTURE.signingCert,
  GENERATED.config, GENERATED.configJson, GENERATED.postman, GENERATED.report,
  SPECIAL.fifo, SPECIAL.device,
  'missing.yaml', 'dir/', 'valid.yaml/', './valid.yaml', 'certs/../valid.yaml', 'out.json', 'out/deep/report.xml', 'report.md', 'results.sarif', '-', '',
  `${CASE}/valid.yaml`, `${CASE}/fifo`, `${CASE}/out.json`, `${CASE}/report.json`, `${CASE}/`,
);

/** An artifact target: mostly fresh names, sometimes an input, a special file or the same name twice. */
const artifactPath = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('out.json', 'out.xml', 'out.sarif', 'out.md', 'out/deep/report.json', `${CASE}/abs.json`) },
  { weight: 2, arbitrary: pathToken },
);

const FORMATS = ['pretty', 'plain', 'json', 'junit', 'markdown', 'github', 'sarif', 'html', 'JSON', ''];
const selector = fc.oneof(
  fc.constantFrom(...CHECK_IDS, ...MIGRATION_IDS, 'jwks', 'config', 'signing', 'transport', 'network', 'token', 'probe', 'migration', 'jwks.', 'config.parse,jwks', ',', ' , ', 'cofig.parse', 'jwks.signing-kye'),
  protoName,
  anyText.map(confined),
);

/** A string far longer than any real argument (did-you-mean and echoing must stay cheap). */
function longArgument(lengths: readonly number[]): fc.Arbitrary<string> {
  return fc
    .record({ unit: fc.constantFrom('x', 'check', '-', 'é', '😀', 'a.b', ' ', 'jwks.', '--'), length: fc.constantFrom(...lengths) })
    .map(({ unit, length }) => unit.repeat(Math.ceil(length / unit.length)));
}
const hugeArgument = longArgument([1_000, 10_000]);

const flagValue = fc.oneof(
  selector,
  fc.constantFrom(...FORMATS),
  fc.constantFrom('0', '1', '-1', '1e400', 'NaN', '600000', '600001', '10', '0x10', ' 5', '1.5', '99999999999999999999'),
  fc.constantFrom('2026-12-01', '2026-02-31', '2026-13-01', '0000-00-00', '2026-12-1', 'tomorrow', '+275760-09-13'),
  fc.constantFrom('private_key_jwt', 'client_secret_post', 'client_secret_basic', 'tls', 'mtls', 'uat', 'production', 'key-not-in-jwks', 'expired-certificate'),
  pathToken,
  anyText.map(confined),
);

const FLAGS = [
  '--offline', '--only', '--skip', '--format', '--json', '--junit', '--sarif', '--markdown', '--html', '--env-file', '--timeout', '--strict', '--curl', '--debug',
  '--help', '-h', '--version', '-v', '--go-live', '--exit-code', '--force', '--stdout', '--from-postman', '--auth-method', '--connectivity', '--environment',
  '--list', '--dir', '--fault', '--interval', '--until', '--exit-on-fail', '--ofline', '--jsn', '--no-offline', '--constructor', '--__proto__', '--toString',
  '-', '--', '---x', '-abc', '--=', '=',
];

const chaosToken = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...FLAGS) },
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...FLAGS), flagValue).map(([flag, value]) => `${flag}=${value}`) },
  { weight: 12, arbitrary: flagValue },
  { weight: 9, arbitrary: pathToken },
  { weight: 6, arbitrary: anyText.map(confined) },
  { weight: 3, arbitrary: protoName },
  { weight: 1, arbitrary: hugeArgument },
);

const commandWord = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...COMMANDS) },
  { weight: 2, arbitrary: fc.constantFrom('help', '--help', '-h', '--version', '-v', 'chek', 'dif', 'reprot', 'explian', 'Check', 'CHECK', ' check', 'check ', '') },
  { weight: 4, arbitrary: protoName },
  { weight: 2, arbitrary: anyText.map(confined) },
  { weight: 1, arbitrary: hugeArgument },
);

/** [flag, value] pairs a command takes, flattened in a random order. */
function options(pairs: fc.Arbitrary<string[]>[], maxLength = 5): fc.Arbitrary<string[]> {
  return fc.array(fc.oneof(...pairs), { maxLength }).map((chosen) => chosen.flat());
}
const flagWith = (flag: string, value: fc.Arbitrary<string>): fc.Arbitrary<string[]> => fc.oneof(value.map((v) => [flag, v]), value.map((v) => [`${flag}=${v}`]));
const bare = (flag: string): fc.Arbitrary<string[]> => fc.constant([flag]);

const configArgument = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(GENERATED.config, GENERATED.configJson) },
  { weight: 3, arbitrary: fc.constantFrom(...CONFIG_FIXTURES) },
  { weight: 1, arbitrary: pathToken },
);

const structured: fc.Arbitrary<string[]> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(
        fc.array(configArgument, { maxLength: 3 }),
        options([
          flagWith('--format', fc.constantFrom(...FORMATS)),
          flagWith('--json', artifactPath),
          flagWith('--junit', artifactPath),
          flagWith('--sarif', artifactPath),
          flagWith('--markdown', artifactPath),
          flagWith('--env-file', fc.oneof(fc.constant(FIXTURE.envFile), pathToken)),
          flagWith('--only', selector),
          flagWith('--skip', selector),
          flagWith('--timeout', flagValue),
          bare('--strict'),
          bare('--curl'),
          bare('--debug'),
        ]),
      )
      .map(([configs, rest]) => ['check', ...configs, ...rest]),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.array(configArgument, { minLength: 0, maxLength: 3 }),
        options([
          flagWith('--go-live', flagValue),
          flagWith('--format', fc.constantFrom(...FORMATS)),
          flagWith('--json', artifactPath),
          flagWith('--markdown', artifactPath),
          flagWith('--env-file', fc.oneof(fc.constant(FIXTURE.envFile), pathToken)),
          bare('--strict'),
        ]),
      )
      .map(([configs, rest]) => ['diff', ...configs, ...rest]),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.oneof(fc.constantFrom(FIXTURE.report, GENERATED.report), pathToken), options([flagWith('--format', fc.constantFrom(...FORMATS)), bare('--exit-code')], 2))
      .map(([file, rest]) => ['report', file, ...rest]),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.option(fc.oneof(fc.constantFrom('new.yaml', 'sub/dir/new.yaml'), pathToken, anyText.map(confined)), { nil: undefined }),
        options([
          flagWith('--from-postman', fc.oneof(fc.constantFrom(FIXTURE.postman, FIXTURE.collection, GENERATED.postman), pathToken)),
          bare('--force'),
          bare('--stdout'),
          flagWith('--auth-method', flagValue),
          flagWith('--connectivity', flagValue),
          flagWith('--environment', flagValue),
        ], 4),
      )
      .map(([file, rest]) => ['init', ...(file === undefined ? [] : [file]), ...rest]),
  },
  { weight: 1, arbitrary: fc.tuple(fc.oneof(selector, hugeArgument), fc.boolean()).map(([id, list]) => ['explain', id, ...(list ? ['--list'] : [])]) },
  { weight: 1, arbitrary: fc.oneof(fc.constantFrom('config', 'report', '__proto__', 'constructor', 'toString', ''), anyText.map(confined)).map((name) => ['schema', name]) },
  { weight: 1, arbitrary: fc.oneof(fc.constantFrom(...COMMANDS), protoName).map((name) => ['help', name]) },
);

const chaos: fc.Arbitrary<string[]> = fc.tuple(commandWord, fc.array(chaosToken, { maxLength: 8 })).map(([command, rest]) => [command, ...rest]);

/** check runs offline; sandbox, demo and watch (each runs until stopped) only ever print their help. */
function contained(argv: string[]): string[] {
  const [command, ...rest] = argv;
  if (command === 'check') return ['check', '--offline', ...rest];
  if (command === 'sandbox' || command === 'demo' || command === 'watch') return [command, '--help', ...rest];
  return argv;
}

/** A file the case writes before the run: a config, or a fixture Postman export or report with edits. */
type Generated =
  | { kind: 'config'; text: string; format: 'yaml' | 'json' }
  | { kind: 'postman' | 'report'; changes: Edit[]; nesting?: number };

interface CliCase {
  argv: string[];
  env: Record<string, string>;
  tty: boolean;
  generated?: Generated;
}

const JSON_NOISE = ['{', '}', '[', ']', ',', '"', ':', 'null', '"__proto__"', '1e999', '{{', '}}', '"values"', '"key"', '"value"', '"status"', '"fail"', '"checks"'];

/** The fixture texts the edits apply to, known once the template is written. */
const base = { postman: '', report: '' };

/** Where a nesting bomb goes in each fixture: a value position the reader walks into. */
const NESTING_AT = { postman: /"values": \[/, report: /"evidence": \{/ } as const;

function materialise(file: Generated): string {
  if (file.kind === 'config') return file.text;
  const text = mutate(base[file.kind], file.changes);
  if (file.nesting === undefined) return text;
  const bomb = `${'{"a": ['.repeat(file.nesting)}1${']}'.repeat(file.nesting)}`;
  return text.replace(NESTING_AT[file.kind], (opening) => `${opening}${bomb}, `);
}

function generatedName(file: Generated): string {
  if (file.kind === 'config') return file.format === 'json' ? GENERATED.configJson : GENERATED.config;
  return file.kind === 'postman' ? GENERATED.postman : GENERATED.report;
}

/** Arguments of every size: a huge one in any position, as a command, flag, flag value or file name. */
const hugeArgv: fc.Arbitrary<string[]> = fc
  .record({
    argv: fc.oneof(structured, chaos),
    huge: longArgument([100_000, 1_000_000]),
    at: fc.nat(),
    form: fc.constantFrom('alone', '--', '--only ', '--format=', '--json ', '--env-file ', '--go-live ', '--from-postman '),
  })
  .map(({ argv, huge, at, form }) => {
    const inserted = form === 'alone' ? [huge] : form === '--' ? [`--${huge}`] : form.endsWith(' ') ? [form.trim(), huge] : [`${form}${huge}`];
    const position = at % (argv.length + 1);
    return [...argv.slice(0, position), ...inserted, ...argv.slice(position)];
  });

const EVERYDAY = { argv: fc.oneof({ weight: 3, arbitrary: structured }, { weight: 2, arbitrary: chaos }), config: configText(100_000, { quadratic: true }) };
const HUGE = { argv: hugeArgv, config: configText(900_000) };

/** The variables a case adds to or changes in SECRET_ENV, as a shell would set them. */
function envShown(env: Record<string, string>): string {
  const changed = Object.entries(env).filter(([name, value]) => SECRET_ENV[name] !== value);
  return changed.map(([name, value]) => `${name}=${preview(value, 120)} `).join('');
}

/** Secret values that are hard to redact: lone surrogates, regex and replacement syntax, long runs. */
const oddSecret = fc.oneof(
  unicodeText.filter((text) => text.length >= 4),
  fc.constantFrom('\ud800abcd', 'abc\udfffdef', 'a\u0000bcd', '$1$&$`x', '(?:x)*+', '.*.*', '\\n\\r', '%zz%', 'ab\ncd', '    '),
  repeated(['{', '\\n', '{{a', '(', '[', '*', '\\', '%', ' ', 'ab'], [2_000, 20_000]),
);

/** Mostly none; sometimes a few levels, sometimes far more than any parser should recurse. */
function nesting(): fc.Arbitrary<number | undefined> {
  return fc.option(fc.constantFrom(3, 100, 5_000, 50_000), { freq: 4, nil: undefined });
}

function cliCase(sizes: typeof EVERYDAY): fc.Arbitrary<CliCase> {
  const generated: fc.Arbitrary<Generated> = fc.oneof(
    { weight: 4, arbitrary: sizes.config.map(({ text, format }) => ({ kind: 'config' as const, text, format })) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('postman' as const), changes: edits(fc.constantFrom(...JSON_NOISE), 6), nesting: nesting() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('report' as const), changes: edits(fc.constantFrom(...JSON_NOISE), 6), nesting: nesting() }) },
  );
  return fc.record({
    argv: sizes.argv.map(contained),
    env: fc
      .record({
        extra: fc.array(fc.tuple(fc.oneof(protoName, fc.stringMatching(/^[A-Z_]{1,10}$/)), fc.oneof(anyText, fc.constantFrom('0', '1', ''))), { maxLength: 3 }),
        noColor: fc.boolean(),
        ci: fc.boolean(),
        oddSecret: fc.option(oddSecret, { freq: 8, nil: undefined }),
      })
      .map(({ extra, noColor, ci, oddSecret: odd }) => {
        const variables: Record<string, string> = { ...SECRET_ENV };
        // Sometimes the client secret the configs name is an odd value instead of its canary: redaction must still work.
        if (odd !== undefined) variables['THREDD_CLIENT_SECRET'] = odd;
        for (const [name, value] of extra) {
          if (Object.hasOwn(SECRET_ENV, name)) continue;
          Object.defineProperty(variables, name, { value, enumerable: true, writable: true, configurable: true });
        }
        if (noColor) variables['NO_COLOR'] = '1';
        if (ci) variables['CI'] = 'true';
        return variables;
      }),
    tty: fc.boolean(),
    generated: fc.option(generated, { freq: 2, nil: undefined }),
  });
}

function label(argv: readonly string[]): string {
  const command = argv[0];
  return command !== undefined && KNOWN.has(command) ? command : '<other command>';
}

const VALUE_FLAGS = ['only', 'skip', 'format', 'json', 'junit', 'sarif', 'markdown', 'html', 'env-file', 'timeout', 'go-live', 'from-postman', 'auth-method', 'connectivity', 'environment', 'dir', 'fault', 'interval', 'until'];
const CREDENTIAL_FILES = ['certs/signing.pem', 'certs/signing.key', 'certs/transport.pem', 'certs/transport.key'];

function regularFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The credential files a config names (read from the case folder before the run). */
function credentialsNamedBy(configs: readonly string[], cwd: string): string[] {
  const text = configs
    .map((config) => {
      try {
        const file = path.resolve(cwd, config);
        return statSync(file).isFile() && statSync(file).size < 2 * 1024 * 1024 ? readFileSync(file, 'utf8') : '';
      } catch {
        return '';
      }
    })
    .join('\n');
  return CREDENTIAL_FILES.filter((file) => text.includes(file));
}

/** The files a command reads (DESIGN.md): an artifact must never replace one of them. */
function inputsOf(argv: readonly string[], cwd: string): { file: string; role: string }[] {
  const [command, ...rest] = argv;
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest,
      strict: false,
      allowPositionals: true,
      options: Object.fromEntries(VALUE_FLAGS.map((flag) => [flag, { type: 'string', multiple: true }])) as Record<string, { type: 'string'; multiple: true }>,
    });
  } catch {
    return [];
  }
  const strings = (flag: string) => ((parsed.values[flag] as (string | boolean)[] | undefined) ?? []).filter((value): value is string => typeof value === 'string');
  const envFiles = strings('env-file').map((file) => ({ file, role: '--env-file' }));
  if (command === 'check' || command === 'diff') {
    const configs = parsed.positionals.length > 0 || command === 'diff' ? parsed.positionals : [FIXTURE.default];
    return [...configs.map((file) => ({ file, role: 'a config' })), ...envFiles, ...credentialsNamedBy(configs, cwd).map((file) => ({ file, role: 'a key or certificate a config names' }))];
  }
  if (command === 'init') return strings('from-postman').map((file) => ({ file, role: '--from-postman' }));
  if (command === 'report') return parsed.positionals.map((file) => ({ file, role: 'the report' }));
  return [];
}

const READ_ONLY = new Set(['report', 'explain', 'schema', 'help', '--help', '-h', '--version', '-v', 'sandbox', 'demo', 'watch']);
/** How golive words an internal error: the CLI's own, a check's (the runner's message), the report's flag. */
const INTERNAL_ERROR = /golive: internal error|internal error in check|"internalError"\s*:\s*true|This is a golive bug/i;
/** Two frames in a row, as V8 prints them: one "at file:line:col" (a config location golive prints) is not a stack. */
const STACK_LINE = /^\s+at (?:async )?\S.*(?::\d+:\d+\)?|\(native\)|\(<anonymous>\))\n\s+at (?:async )?\S.*(?::\d+:\d+\)?|\(native\)|\(<anonymous>\))$/m;

function sink(): { stream: Writable & { isTTY?: boolean }; text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

/**
 * Registers a CLI target: `everyday` argv (arguments up to 10 kB, configs up
 * to 100 kB), or `huge` (an argument of 100 kB or 1 MB somewhere, configs up
 * to 900 kB) in a test process of its own, so a synchronous hang there costs
 * the everyday target nothing.
 */
export function fuzzCli(options: { name: string; runs: number; sizes: 'everyday' | 'huge' }): void {
  describe(`golive CLI, in-process (${options.sizes} arguments)`, () => {
    let root: string;
    let template: string;
    let processCwd: string;
    const originalCwd = process.cwd();

    beforeAll(async () => {
      root = fuzzRoot('cli');
      template = path.join(root, 'template');
      mkdirSync(template, { recursive: true });
      processCwd = isolateProcessCwd(root);
      const credentials = await makeCredentials();
      await writeTemplate(template, credentials);
      base.postman = readFileSync(path.join(template, FIXTURE.postman), 'utf8');
      base.report = readFileSync(path.join(template, FIXTURE.report), 'utf8');
      // Warm the module cache, so the first cases are not slow for loading alone.
      for (const argv of [['check', '--offline', FIXTURE.valid], ['diff', FIXTURE.valid, FIXTURE.production], ['report', FIXTURE.report], ['explain', 'jwks.fetch'], ['init', '--stdout'], ['schema']]) {
        await main(argv, { stdout: sink().stream, stderr: sink().stream, env: { ...SECRET_ENV }, cwd: template });
      }
      strayFiles(processCwd);
    }, 300_000);

    afterAll(() => {
      process.chdir(originalCwd);
      if (root) rmSync(root, { recursive: true, force: true });
    });

    fuzzTarget<CliCase>({
      name: options.name,
      subject: 'main(argv, io) in src/cli/main.ts',
      runs: options.runs,
      // Linear work on a megabyte argument or config stays inside; did-you-mean over it used to take minutes.
      slowMs: sizeBound(4000, 5, (input: CliCase) => textSize(input.argv) + textSize(input.env) + (input.generated ? materialise(input.generated).length : 0)),
      arbitrary: cliCase(options.sizes === 'huge' ? HUGE : EVERYDAY),
      hangContext: (input) => [label(input.argv), ...new Set(input.argv.filter((arg) => arg.includes(SPECIAL.fifo) || arg.includes(SPECIAL.device)).map((arg) => (arg.includes(SPECIAL.fifo) ? 'a FIFO' : 'a device')))].join(', '),
      show: (input) =>
        `${envShown(input.env)}golive ${preview(input.argv.map((arg) => arg.replaceAll(CASE, '<case>')))}` +
        `${input.generated ? ` with ${generatedName(input.generated)} = ${preview(materialise(input.generated), 300)}` : ''}` +
        `${input.tty ? ' (stdout a TTY)' : ''}`,
      async run(input, scope) {
        const serialised = JSON.stringify(input);
        const folder = caseFolder(root, template, { fifo: serialised.includes(SPECIAL.fifo), device: serialised.includes(SPECIAL.device) });
        scope.defer(() => folder.dispose());
        // The FIFO has a reader, as `--json >(cat)` would: golive waits up to the case bound for one that never comes.
        const fifo = serialised.includes(SPECIAL.fifo) ? fifoReader(path.join(folder.dir, SPECIAL.fifo)) : undefined;
        scope.defer(() => fifo?.stop());
        if (input.generated) writeFileSync(path.join(folder.dir, generatedName(input.generated)), materialise(input.generated));
        const argv = input.argv.map((arg) => arg.replaceAll(CASE, folder.dir));
        // Regular files only: a folder named as a config changes whenever anything is written into it.
      const inputs = inputsOf(argv, folder.dir).map(({ file, role }) => ({ file, role, before: regularFile(path.resolve(folder.dir, file)) ? identity(path.resolve(folder.dir, file)) : undefined }));
        const before = snapshot(folder.dir);
        const stdout = sink();
        const stderr = sink();
        // A person at a terminal would get the live task list: only with NO_COLOR or CI here, as listr2 draws on process.stdout.
        if (input.tty && (input.env['NO_COLOR'] || input.env['CI'])) stdout.stream.isTTY = true;
        const env = { ...input.env };
        const code = await main(argv, { stdout: stdout.stream, stderr: stderr.stream, env, cwd: folder.dir });

        const problems: Problem[] = [];
        const command = label(argv);
        const out = stdout.text();
        const err = stderr.text();
        if (code !== 0 && code !== 1 && code !== 2) {
          const line = err.split('\n').find((text) => text.trim() !== '') ?? '';
          problems.push({ signature: `exit ${String(code)}${code === 3 ? ' (internal error)' : ''} [${command}]: ${normaliseMessage(line)}`, detail: line.slice(0, 300) });
        } else {
          const internal = `${out}\n${err}`.split('\n').find((text) => INTERNAL_ERROR.test(text));
          if (internal) problems.push({ signature: `internal error reported [${command}]: ${normaliseMessage(internal.replace(/^.*?(internal error|"internalError")/i, '$1'))}`, detail: internal.slice(0, 300) });
        }
        if (!argv.includes('--debug') && (STACK_LINE.test(out) || STACK_LINE.test(err))) {
          problems.push({ signature: `stack trace printed without --debug [${command}]`, detail: (STACK_LINE.exec(err) ?? STACK_LINE.exec(out))![0].trim() });
        }
        for (const [channel, text] of [['stdout', out], ['stderr', err]] as const) {
          for (const hit of findCanaries(text)) problems.push({ signature: `canary ${hit.canary} (${hit.encoding}) in ${channel} [${command}]`, detail: hit.context });
        }
        const written = changedFiles(folder.dir, before);
        const piped = fifo?.stop().toString('utf8');
        if (piped) written.push({ name: `${SPECIAL.fifo} (read from the FIFO)`, content: piped });
        for (const file of written) {
          for (const hit of findCanaries(file.content)) problems.push({ signature: `canary ${hit.canary} (${hit.encoding}) in a written file [${command}]`, detail: `${file.name}: ${hit.context}` });
        }
        for (const { file, role, before: was } of inputs) {
          if (was === undefined) continue;
          const now = identity(path.resolve(folder.dir, file));
          if (now !== was) problems.push({ signature: `an input was overwritten [${command}]: ${role}`, detail: `${file} (${role}) changed during the run` });
        }
        if (READ_ONLY.has(argv[0] ?? '') || !KNOWN.has(argv[0] ?? '')) {
          const created = [...snapshot(folder.dir).keys()].filter((name) => !before.has(name));
          if (written.length > 0 || created.length > 0) problems.push({ signature: `a read-only command wrote files [${command}]`, detail: [...new Set([...written.map((file) => file.name), ...created])].join(', ') });
        }
        const strays = strayFiles(processCwd);
        if (strays.length > 0) problems.push({ signature: `wrote relative to process.cwd(), not io.cwd [${command}]`, detail: strays.join(', ') });
        if (code === 3) {
          // Where it broke: the same run with --debug prints the stack (after the checks above, as it writes again).
          const frame = await stackOf(argv, input.env, folder.dir);
          if (frame) problems[0]!.detail = `${problems[0]!.detail}\n      at ${frame}`;
        }
        return problems;
      },
    });
  });
}

/** The first frame of golive's code for an exit 3, from the same run with --debug. */
async function stackOf(argv: string[], env: Record<string, string>, cwd: string): Promise<string | undefined> {
  const stderr = sink();
  try {
    await Promise.race([
      main([...argv, '--debug'], { stdout: sink().stream, stderr: stderr.stream, env: { ...env }, cwd }),
      new Promise((resolve) => setTimeout(resolve, 5_000).unref()),
    ]);
  } catch {
    return undefined;
  }
  return sourceFrame(stderr.text());
}

