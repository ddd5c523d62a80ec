import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';

/** A Map, as the name is the user's: `golive schema __proto__` is a usage error. */
const SCHEMAS = new Map([
  ['config', 'config.schema.json'],
  ['report', 'report.schema.json'],
]);

export async function schemaCommand(argv: string[], io: Io): Promise<number> {
  const { positionals, values } = parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' } }, allowPositionals: true });
  if (values.help) {
    const { helpFor } = await import('../help.js');
    io.stdout.write(helpFor('schema'));
    return 0;
  }
  const schema = SCHEMAS.get(positionals[0] ?? 'config');
  if (schema === undefined || positionals.length > 1) {
    throw new UsageError(`golive schema takes config or report; got ${positionals.join(' ')}`, 'schema');
  }
  // dist/ and src/cli/commands sit at different depths below the package root.
  const candidates = ['../schemas/', '../../../schemas/'].map((dir) => new URL(`${dir}${schema}`, import.meta.url));
  for (const url of candidates) {
    try {
      io.stdout.write(await readFile(url, 'utf8'));
      return 0;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  throw new Error(`schemas/${schema} is missing from the golive installation`);
}
