import { access } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { starterConfig } from '../../init/template.js';
import { UsageError } from '../errors.js';
import { writeFileAtomic, type Io } from '../io.js';

const CHOICES = {
  'auth-method': ['private_key_jwt', 'client_secret_post', 'client_secret_basic'],
  connectivity: ['tls', 'mtls'],
  environment: ['uat', 'production'],
} as const;

function choice<K extends keyof typeof CHOICES>(flag: K, value: string | undefined): (typeof CHOICES)[K][number] {
  const allowed = CHOICES[flag] as readonly string[];
  const picked = value ?? allowed[0]!;
  if (!allowed.includes(picked)) throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}; got ${picked}`, 'init');
  return picked as (typeof CHOICES)[K][number];
}

export async function initCommand(argv: string[], io: Io): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'auth-method': { type: 'string' },
      connectivity: { type: 'string' },
      environment: { type: 'string' },
      force: { type: 'boolean' },
      stdout: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    const { helpFor } = await import('../help.js');
    io.stdout.write(helpFor('init'));
    return 0;
  }
  if (positionals.length > 1) throw new UsageError(`golive init takes one file; got ${positionals.join(' ')}`, 'init');
  const text = starterConfig({
    authMethod: choice('auth-method', values['auth-method']),
    connectivity: choice('connectivity', values.connectivity),
    environment: choice('environment', values.environment),
  });
  if (values.stdout) {
    io.stdout.write(text);
    return 0;
  }
  const shown = positionals[0] ?? 'golive.yaml';
  const file = path.resolve(io.cwd, shown);
  const exists = await access(file).then(
    () => true,
    () => false,
  );
  if (exists && !values.force) {
    io.stderr.write(`${shown} already exists; nothing written. Use --force to overwrite it, or name another file.\n`);
    return 1;
  }
  try {
    await writeFileAtomic(file, text);
  } catch (error) {
    throw new UsageError(`${shown} cannot be written (${(error as NodeJS.ErrnoException).code ?? 'error'}); name a file in a writable folder`, 'init');
  }
  io.stdout.write(
    `${exists ? 'Overwrote' : 'Wrote'} ${shown}. Next: fill in the paths, export the variables it names, then run: golive check ${shown}\n`,
  );
  return 0;
}
