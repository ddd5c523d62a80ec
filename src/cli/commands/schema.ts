import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { SCHEMA_NAMES, type SchemaArgs } from '../spec.js';

/** `golive schema [config|report]`: the file, as shipped. */
export async function schemaCommand(args: SchemaArgs, io: Io): Promise<number> {
  const name: string = args.name ?? 'config';
  // yargs checks the name, except after `--` (`golive schema -- report`).
  if (!(SCHEMA_NAMES as readonly string[]).includes(name)) throw new UsageError(`golive schema takes config or report; got ${name}`, 'schema');
  const schema = `${name}.schema.json`;
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
