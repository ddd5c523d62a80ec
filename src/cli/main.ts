import { EXIT, UsageError } from './errors.js';
import { processIo, type Io } from './io.js';
import { closest } from '../text/closest.js';
import { Redactor } from '../redact.js';

type Command = (argv: string[], io: Io) => Promise<number>;

/**
 * Each command loads only what it needs: `check --offline` must start fast.
 * A Map, as the name is the user's: `golive constructor` is an unknown command.
 */
const COMMANDS = new Map<string, () => Promise<Command>>([
  ['check', async () => (await import('./commands/check.js')).checkCommand],
  ['schema', async () => (await import('./commands/schema.js')).schemaCommand],
  ['init', async () => (await import('./commands/init.js')).initCommand],
  ['explain', async () => (await import('./commands/explain.js')).explainCommand],
  ['sandbox', async () => (await import('./commands/sandbox.js')).sandboxCommand],
  ['demo', async () => (await import('./commands/demo.js')).demoCommand],
  ['diff', async () => (await import('./commands/diff.js')).diffCommand],
  ['report', async () => (await import('./commands/report.js')).reportCommand],
]);

function isParseArgsError(error: unknown): error is Error & { code: string } {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}

/** Runs the CLI and returns the exit code; never throws. */
export async function main(given: string[], io: Io = processIo()): Promise<number> {
  // Node (20 to 24) stops at nothing to read an `--env-file` flag, even one
  // after the script name, and exits before golive runs when the file is
  // missing; it stops at `--`. So `npx golive -- check --env-file .env` and
  // `node dist/cli.js -- check …` are how to reach golive through them.
  const argv = given[0] === '--' ? given.slice(1) : given;
  const debug = argv.includes('--debug');
  const [name, ...rest] = argv;
  try {
    const helpOf = name === 'help' && rest[0] !== undefined ? COMMANDS.get(rest[0]) : undefined;
    if (helpOf) return await (await helpOf())(['--help'], io);
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      const { mainHelp } = await import('./help.js');
      io.stdout.write(mainHelp());
      return EXIT.ready;
    }
    if (name === '--version' || name === '-v') {
      const { VERSION } = await import('../version.js');
      io.stdout.write(`${VERSION}\n`);
      return EXIT.ready;
    }
    const load = COMMANDS.get(name);
    if (!load) {
      const suggestion = closest(name, [...COMMANDS.keys()]);
      throw new UsageError(`unknown command ${name}${suggestion ? `; did you mean ${suggestion}?` : ''}`);
    }
    return await (await load())(rest, io);
  } catch (error) {
    // Nothing secret is known here, but a message may quote a variable's
    // value: the pattern-based part of redaction still applies.
    const redactor = new Redactor();
    if (error instanceof UsageError || isParseArgsError(error)) {
      const command = error instanceof UsageError ? error.command : name;
      io.stderr.write(`golive: ${redactor.text(error.message)}\nRun "golive ${command ? `${command} ` : ''}--help" for usage.\n`);
      return EXIT.usage;
    }
    // `golive sandbox` and `demo` without their optional packages: what to install, on one line.
    if (error instanceof Error && error.name === 'SandboxStackMissing') {
      io.stderr.write(`golive: ${error.message}\n`);
      return EXIT.usage;
    }
    const summary = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    io.stderr.write(`golive: internal error: ${redactor.text(summary)}\n`);
    if (debug && error instanceof Error && error.stack) io.stderr.write(`${redactor.text(error.stack)}\n`);
    else io.stderr.write('This is a golive bug; rerun with --debug for details and report it.\n');
    return EXIT.internal;
  }
}
