import { parseArgs } from 'node:util';
import { EXIT, UsageError } from '../errors.js';
import type { Io } from '../io.js';

export async function sandboxHelp(): Promise<string> {
  const { FAULTS } = await import('../../sandbox/index.js');
  const width = Math.max(...Object.keys(FAULTS).map((name) => name.length));
  return `Usage: golive sandbox [--dir DIR] [--force] [--fault NAME..]

Starts a local Thredd-like platform on 127.0.0.1 (a real OAuth2 authorization
server, an organisation JWKS host, TLS and mTLS API hosts), writes ready
configs for each auth method and connectivity, and runs until Ctrl-C.

Options:
  --dir DIR        folder for certificates, keys and configs (default: a fresh
                   temporary folder, removed on exit). A folder a sandbox wrote
                   before is reused: its keys are kept, its configs rewritten.
                   Files there that a sandbox did not write (or that were changed
                   since) are never overwritten: golive lists them, writes
                   nothing and exits 1
  --force          overwrite those files in DIR instead
  --fault NAME     switch a fault on (repeatable)
  -h, --help       this help

Faults:
${Object.entries(FAULTS)
  .map(([name, description]) => `  ${name.padEnd(width)}  ${description}`)
  .join('\n')}

Example:
  golive sandbox --dir ./sandbox --fault key-not-in-jwks
  golive check --env-file ./sandbox/sandbox.env ./sandbox/private_key_jwt-tls.yaml
`;
}

export async function sandboxCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      dir: { type: 'string' },
      force: { type: 'boolean' },
      fault: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(await sandboxHelp());
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`golive sandbox takes no arguments; got ${positionals.join(' ')}`, 'sandbox');
  const { runSandboxCommand, parseFaults, SandboxFilesExistError, WriteError } = await import('../../sandbox/index.js');
  const faults = (values.fault ?? []).flatMap((value) => value.split(','));
  try {
    parseFaults(faults);
  } catch (error) {
    throw new UsageError((error as Error).message, 'sandbox');
  }
  try {
    await runSandboxCommand({ dir: values.dir, force: values.force ?? false, faults, out: io.stdout });
  } catch (error) {
    if (error instanceof WriteError && values.dir !== undefined) throw new UsageError(`--dir ${values.dir} cannot be used (${error.code}: ${error.detail})`, 'sandbox');
    if (!(error instanceof SandboxFilesExistError)) throw error;
    io.stderr.write(
      `golive sandbox: ${values.dir} already holds ${error.files.length === 1 ? 'a file' : 'files'} a sandbox did not write (or that changed since):\n` +
        error.files.map((file) => `  ${file}\n`).join('') +
        'Nothing was written. Use --force to overwrite them, or name an empty or new --dir.\n',
    );
    return EXIT.failed;
  }
  return EXIT.ready;
}
