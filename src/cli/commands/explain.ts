import { parseArgs } from 'node:util';
import { CHECKS } from '../../../checks/index.js';
import { MIGRATION_CHECKS } from '../../../checks/migration/index.js';
import type { AnyCheck } from '../../pipeline/check.js';
import { closest } from '../../text/closest.js';
import { UsageError } from '../errors.js';
import { formatExplanationPage, listExplanations } from '../explain-page.js';
import { isInteractive, type Io } from '../io.js';

export async function explainCommand(argv: string[], io: Io): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { list: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    const { helpFor } = await import('../help.js');
    io.stdout.write(helpFor('explain'));
    return 0;
  }
  if (values.list || positionals.length === 0) {
    io.stdout.write(`${listExplanations(CHECKS)}\n\ngolive diff:\n${listExplanations(MIGRATION_CHECKS)}\n`);
    return 0;
  }
  const id = positionals[0]!;
  const documented = new Map<string, AnyCheck>([...CHECKS, ...MIGRATION_CHECKS].map((check) => [check.id, check]));
  const check = documented.get(id);
  if (check) {
    io.stdout.write(`${formatExplanationPage(check, { color: isInteractive(io) })}\n`);
    return 0;
  }
  const suggestion = closest(id, [...documented.keys()]);
  throw new UsageError(`no check is called ${id}${suggestion ? `; did you mean ${suggestion}?` : ''} (golive explain --list)`, 'explain');
}
