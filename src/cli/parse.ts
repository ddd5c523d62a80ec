import yargs, { type Argv } from 'yargs';
import { closest } from '../text/closest.js';
import { VERSION } from '../version.js';
import { UsageError } from './errors.js';
import { COMMANDS, MAIN_EPILOGUE, MAIN_EXAMPLES, MAIN_USAGE, type AnyCommand, type Run } from './spec.js';

/** What the command line asks for: text to print (help, version, completion), or a command to run. */
export type Parsed = { kind: 'print'; text: string } | { kind: 'run'; name: string; run: Run<unknown>; args: unknown };

/*
 * yargs words its validation failures for people, in one form. golive words
 * them as the rest of its usage errors are worded, with a suggestion: yargs'
 * templates are replaced (updateStrings) by a marker and the failure's kind,
 * which `usageError` reads back with what yargs knows at that point.
 */
const MARK = '\u0000';
type Failure = 'unknown' | 'arity' | 'needs-value' | 'conflict' | 'implies' | 'choice' | 'required';
const marked = (kind: Failure, ...values: string[]) => MARK + [kind, ...values].join(MARK);
const both = (text: string) => ({ one: text, other: text });

// Every %s of a template is kept (as a marked field): y18n appends the values a template does not place.
const STRINGS = {
  'Unknown argument: %s': both(marked('unknown', '%s')),
  'Unknown command: %s': both(marked('unknown', '%s')),
  'Not enough non-option arguments: got %s, need at least %s': both(marked('arity', '%s', '%s')),
  'Too many non-option arguments: got %s, maximum of %s': both(marked('arity', '%s', '%s')),
  'Not enough arguments following: %s': marked('needs-value', '%s'),
  'Arguments %s and %s are mutually exclusive': marked('conflict', '%s', '%s'),
  'Implications failed:': marked('implies'),
  'Invalid values:': marked('choice'),
  'Missing required argument: %s': both(marked('required', '%s')),
  // recommendCommands: golive suggests commands itself, from the same list.
  'Did you mean %s?': marked('unknown', '%s'),
};

/** `-x`, `--name`, `--name=value`: the option names a token gives, without dashes. */
function optionNames(token: string): string[] {
  if (token.startsWith('--')) return [token.slice(2).split('=')[0]!];
  if (token.startsWith('-') && token.length > 1 && !/^-\d/.test(token)) return [...token.slice(1).split('=')[0]!];
  return [];
}

function flag(name: string): string {
  return name.length === 1 ? `-${name}` : `--${name}`;
}

/** The options a yargs instance declares, with their aliases. */
function declaredOptions(instance: Argv): Set<string> {
  const options = (instance as unknown as { getOptions(): unknown }).getOptions() as { key: Record<string, unknown>; alias: Record<string, string[]> };
  const names = new Set(Object.keys(options.key));
  for (const [name, aliases] of Object.entries(options.alias)) {
    names.add(name);
    for (const alias of aliases) names.add(alias);
  }
  return names;
}

interface FailureContext {
  argv: readonly string[];
  command: AnyCommand | undefined;
  instance: Argv;
}

/** The argument key of a positional in a command string: `<uat>` → uat, `[configs..]` → configs. */
function positionalKey(word: string): string {
  return word.replace(/^[<[]|(?:\.\.)?[>\]]$/g, '');
}

/** The positionals the user gave a command (after its name): those yargs placed, then the rest. */
function givenPositionals(instance: Argv, command: AnyCommand): string[] {
  const parsed = (instance as unknown as { parsed?: { argv?: Record<string, unknown> & { _?: unknown[] } } }).parsed?.argv ?? {};
  const [name, ...declared] = command.command.split(' ');
  const placed = declared
    .map(positionalKey)
    .flatMap((key) => (Object.hasOwn(parsed, key) && parsed[key] !== undefined ? [parsed[key]].flat().map(String) : []));
  const rest = (parsed._ ?? []).map(String);
  return [...placed, ...(rest[0] === name ? rest.slice(1) : rest)];
}

function unknownOption(context: FailureContext): UsageError | undefined {
  const declared = declaredOptions(context.instance);
  const end = context.argv.indexOf('--');
  const tokens = end === -1 ? context.argv : context.argv.slice(0, end);
  const unknown = [...new Set(tokens.flatMap(optionNames))].filter((name) => !declared.has(name));
  if (unknown.length === 0) return undefined;
  const longNames = [...declared].filter((name) => name.length > 1).map((name) => `--${name}`);
  const suggestion = closest(flag(unknown[0]!), longNames);
  const names = unknown.map(flag).join(', ');
  return new UsageError(`unknown option${unknown.length === 1 ? '' : 's'} ${names}${suggestion ? `; did you mean ${suggestion}?` : ''}`);
}

function unknownCommand(argv: readonly string[]): UsageError {
  const name = argv.find((token) => !token.startsWith('-')) ?? argv[0] ?? '';
  const suggestion = closest(name, COMMANDS.map((command) => command.command.split(' ')[0]!));
  return new UsageError(`unknown command ${name}${suggestion ? `; did you mean ${suggestion}?` : ''}`);
}

/** A yargs failure (its marked message, or the error a coerce function threw) as golive's usage error. */
function usageError(message: string | null, error: Error | undefined, context: FailureContext): UsageError {
  const name = context.command?.command.split(' ')[0];
  const withCommand = (usage: UsageError) => new UsageError(usage.message, name);
  if (error instanceof UsageError) return withCommand(error);
  const [head = '', ...details] = (message ?? '').split('\n');
  const [, kind, ...values] = head.split(MARK) as [string, Failure | undefined, ...string[]];
  switch (kind) {
    case 'unknown':
    case 'arity':
    case 'required': {
      // An unknown option takes the next word as its value: it is the mistake to name, not the count it threw off.
      const option = unknownOption(context);
      if (option) return withCommand(option);
      if (context.argv[0] === COMPLETION_COMMAND) return new UsageError(`golive completion takes no arguments; got ${context.argv.slice(1).join(' ')}`);
      if (!context.command) return unknownCommand(context.argv);
      return withCommand(new UsageError(context.command.arity(givenPositionals(context.instance, context.command))));
    }
    case 'needs-value':
      return withCommand(new UsageError(`${flag(values[0] ?? '')} needs a value`));
    case 'conflict':
      return withCommand(new UsageError(`${flag(values[0] ?? '')} does not combine with ${flag(values[1] ?? '')}`));
    case 'implies': {
      const [key, needed] = details[0]?.trim().split(' -> ') ?? [];
      return withCommand(new UsageError(`${flag(key ?? '')} needs ${flag(needed ?? '')}`));
    }
    default:
      // Not one golive words itself (a choice or requirement a coerce function did not catch first): yargs' own words, on one line.
      return withCommand(new UsageError((message ?? error?.message ?? 'usage error').replaceAll(MARK, ' ').replace(/\s+/g, ' ').trim()));
  }
}

const COMPLETION_COMMAND = 'completion';

/** The one piece of yargs' internals golive touches (see commandLine). */
interface YargsInternals {
  getInternalMethods(): { getUsageInstance(): { cacheHelpMessage: () => void } };
}

/** Completes the word being typed when golive knows better than yargs' defaults; false leaves it to them. */
export type Completer = (current: string, done: (completions: string[]) => void) => boolean;

/** The command line as yargs reads it; completion asks `complete` first (check ids, sandbox faults). */
export function commandLine(
  argv: readonly string[],
  chosen: { command?: AnyCommand; args?: unknown },
  columns: number | undefined,
  complete?: Completer,
): Argv {
  let instance = yargs()
    .scriptName('golive')
    .parserConfiguration({
      // One spelling per option (--env-file is args['env-file']); no --no-X negations, no
      // a.b objects, and a config called 2024 or 0x10 stays a file name.
      'camel-case-expansion': false,
      'boolean-negation': false,
      'dot-notation': false,
      'parse-numbers': false,
      'parse-positional-numbers': false,
      'strip-aliased': true,
    })
    // yargs' types allow strings only; its y18n takes { one, other } for plurals.
    .updateStrings(STRINGS as unknown as Record<string, string>)
    .usage(MAIN_USAGE)
    .strict()
    .recommendCommands()
    .exitProcess(false)
    .wrap(Math.min(100, columns || 100))
    .help('help')
    .alias('help', 'h')
    .version(VERSION)
    .alias('version', 'v')
    .example(MAIN_EXAMPLES)
    .epilogue(MAIN_EPILOGUE)
    // yargs resets this same instance for the command it runs: at a failure it holds that command's options.
    .fail((message, error) => {
      // A half-typed line being completed is not a mistake to report.
      if (complete) return;
      // yargs prints the script for `golive completion`, then its strict mode calls the word unknown.
      if (argv.length === 1 && argv[0] === COMPLETION_COMMAND && message?.startsWith(marked('unknown'))) return;
      // yargs counts no word after `--` as a positional: parseCommandLine places them and counts again.
      if (argv.includes('--') && (message?.startsWith(marked('arity')) || message?.startsWith(marked('required')))) return;
      throw usageError(message, error ?? undefined, { argv, command: chosen.command, instance });
    });
  for (const command of COMMANDS) {
    instance = instance.command({
      command: command.command,
      describe: command.describe,
      builder: (inner: Argv) => {
        chosen.command = command;
        return command.builder(inner) as Argv;
      },
      handler: (args: unknown) => {
        chosen.args = args;
      },
    });
  }
  // Before running a command's handler, yargs renders that command's whole help, in case the handler
  // calls showHelp(); golive's handlers only record what to run. ~5 ms of every start, skipped.
  (instance as unknown as YargsInternals).getInternalMethods().getUsageInstance().cacheHelpMessage = () => {};
  return instance.completion(COMPLETION_COMMAND, 'print a bash/zsh completion script (golive completion >> ~/.bashrc)', (current: string, _parsed: unknown, defaults: () => void, done: (completions: string[]) => void) => {
    if (complete && complete(current, done)) return;
    defaults();
  });
}

/** Reads the command line: help, version and completion come back as text; a command comes back with its loaded code. */
export async function parseCommandLine(given: readonly string[], columns?: number): Promise<Parsed> {
  // `golive help` and `golive help check` are `--help`.
  const argv = given[0] === 'help' ? [...given.slice(1, 2), '--help'] : [...given];
  const chosen: { command?: AnyCommand; args?: unknown } = {};
  const completionAt = argv.indexOf('--get-yargs-completions');
  if (completionAt !== -1) {
    // yargs answers a completion request by parsing again, which empties what a parse callback
    // collects: here it writes the completions to stdout itself. It takes them synchronously, so
    // what golive completes is loaded before it asks.
    const { completer } = await import('./complete.js');
    commandLine(argv, chosen, columns, completer(argv.slice(completionAt + 1))).parse(argv);
    return { kind: 'print', text: '' };
  }
  // yargs calls back once per parse it runs (synchronously, with all it printed so far): the last call has it all.
  let output = '';
  commandLine(argv, chosen, columns).parse(argv, {}, (error, _args, text) => {
    if (error) throw error;
    output = text;
  });
  if (output || !chosen.command || chosen.args === undefined) {
    return { kind: 'print', text: output ? `${output.replace(/\n*$/, '')}\n` : await mainHelp(columns) };
  }
  const [name = '', ...declared] = chosen.command.command.split(' ');
  // Words after `--` are positionals whatever they look like (`check -- -odd.yaml`); yargs leaves them in `_`.
  const args = chosen.args as Record<string, unknown> & { _: unknown[] };
  const rest = args._.slice(1).map(String);
  for (const word of declared) {
    const key = positionalKey(word);
    if (word.endsWith('..]') || word.endsWith('..>')) args[key] = [...[args[key] ?? []].flat().map(String), ...rest.splice(0)];
    else if (args[key] === undefined && rest.length > 0) args[key] = rest.shift();
  }
  const missing = declared.some((word) => word.startsWith('<') && args[positionalKey(word)] === undefined);
  if (rest.length > 0 || missing) throw new UsageError(chosen.command.arity(givenWords(args, declared, rest)), name);
  return { kind: 'run', name, run: (await chosen.command.load()) as Run<unknown>, args };
}

/** Every positional a command was given, placed ones first: for its wrong-count message. */
function givenWords(args: Record<string, unknown>, declared: readonly string[], rest: readonly string[]): string[] {
  const placed = declared.flatMap((word) => [args[positionalKey(word)] ?? []].flat().map(String));
  return [...placed, ...rest];
}

/** `golive` alone: the main help. */
async function mainHelp(columns: number | undefined): Promise<string> {
  const parsed = await parseCommandLine(['--help'], columns);
  return parsed.kind === 'print' ? parsed.text : '';
}
