import { EXIT, UsageError } from './errors.js';
import { processIo, type Io } from './io.js';
import { Redactor } from '../redact.js';

/** Runs the CLI and returns the exit code; never throws. */
export async function main(given: string[], io: Io = processIo()): Promise<number> {
  // Node (20 to 24) stops at nothing to read an `--env-file` flag, even one
  // after the script name, and exits before golive runs when the file is
  // missing; it stops at `--`. So `npx golive -- check --env-file .env` and
  // `node dist/cli.js -- check …` are how to reach golive through them.
  const argv = given[0] === '--' ? given.slice(1) : given;
  const debug = argv.includes('--debug');
  let name: string | undefined;
  try {
    const { parseCommandLine } = await import('./parse.js');
    const parsed = await parseCommandLine(argv, io.stdout.columns);
    if (parsed.kind === 'print') {
      io.stdout.write(parsed.text);
      return EXIT.ready;
    }
    name = parsed.name;
    return await parsed.run(parsed.args, io);
  } catch (error) {
    // Nothing secret is known here, but a message may quote a variable's
    // value: the pattern-based part of redaction still applies.
    const redactor = new Redactor();
    if (error instanceof UsageError) {
      const command = error.command ?? name;
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
