import { parseArgs } from 'node:util';
import { CHECK_IDS, type CheckId } from '../../../checks/ids.js';
import { formatExplanation, listExplanations } from '../../../checks/explain.js';
import { closest } from '../../text/closest.js';
import { UsageError } from '../errors.js';
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
    io.stdout.write(listExplanations());
    return 0;
  }
  const id = positionals[0]!;
  if (!CHECK_IDS.includes(id as CheckId)) {
    const suggestion = closest(id, CHECK_IDS);
    throw new UsageError(`no check is called ${id}${suggestion ? `; did you mean ${suggestion}?` : ''} (golive explain --list)`, 'explain');
  }
  io.stdout.write(formatExplanation(id as CheckId, { color: isInteractive(io) }));
  return 0;
}
