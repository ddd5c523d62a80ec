import { CHECKS } from '../../../checks/index.js';
import { MIGRATION_CHECKS } from '../../../checks/migration/index.js';
import type { AnyCheck } from '../../pipeline/check.js';
import { closest } from '../../text/closest.js';
import { UsageError } from '../errors.js';
import { formatExplanationPage, listExplanations } from '../explain-page.js';
import { isInteractive, type Io } from '../io.js';
import type { ExplainArgs } from '../spec.js';

export async function explainCommand(args: ExplainArgs, io: Io): Promise<number> {
  if (args.list || args.id === undefined) {
    io.stdout.write(`${listExplanations(CHECKS)}\n\ngolive diff:\n${listExplanations(MIGRATION_CHECKS)}\n`);
    return 0;
  }
  const { id } = args;
  const documented = new Map<string, AnyCheck>([...CHECKS, ...MIGRATION_CHECKS].map((check) => [check.id, check]));
  const check = documented.get(id);
  if (check) {
    io.stdout.write(`${formatExplanationPage(check, { color: isInteractive(io) })}\n`);
    return 0;
  }
  const suggestion = closest(id, [...documented.keys()]);
  throw new UsageError(`no check is called ${id}${suggestion ? `; did you mean ${suggestion}?` : ''} (golive explain --list)`, 'explain');
}
