import { parseArgs } from 'node:util';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';

export async function sandboxHelp(): Promise<string> {
  const { FAULTS } = await import('../../sandbox/index.js');
  const width = Math.max(...Object.keys(FAULTS).map((name) => name.length));
  return `Usage: golive sandbox [--dir DIR] [--fault NAME..]

Starts a local Thredd-like platform on 127.0.0.1 (a real OAuth2 authorization
server, an organisation JWKS host, TLS and mTLS API hosts), writes ready
configs for each auth method and connectivity, and runs until Ctrl-C.

Options:
  --dir DIR        folder for certificates, keys and configs (reused when it exists;
                   default: a fresh temporary folder, removed on exit)
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
    options: { dir: { type: 'string' }, fault: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    io.stdout.write(await sandboxHelp());
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`golive sandbox takes no arguments; got ${positionals.join(' ')}`, 'sandbox');
  const { runSandboxCommand, parseFaults } = await import('../../sandbox/index.js');
  const faults = (values.fault ?? []).flatMap((value) => value.split(','));
  try {
    parseFaults(faults);
  } catch (error) {
    throw new UsageError((error as Error).message, 'sandbox');
  }
  await runSandboxCommand({ dir: values.dir, faults, out: io.stdout });
  return 0;
}
