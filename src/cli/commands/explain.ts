import { parseArgs } from 'node:util';
import { CHECK_IDS, type CheckId } from '../../../checks/ids.js';
import { formatExplanation, formatExplanationPage, listExplanations } from '../../../checks/explain.js';
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
  const { MIGRATION_IDS } = await import('../../../checks/migration/ids.js');
  if (values.list || positionals.length === 0) {
    const { MIGRATION_EXPLANATIONS } = await import('../../../checks/migration/explain.js');
    const width = Math.max(...MIGRATION_IDS.map((id) => id.length));
    const migration = MIGRATION_IDS.map((id) => `${id.padEnd(width)}  ${MIGRATION_EXPLANATIONS[id].title}`);
    io.stdout.write(`${listExplanations()}\n\ngolive diff:\n${migration.join('\n')}\n`);
    return 0;
  }
  const id = positionals[0]!;
  const color = isInteractive(io);
  if (CHECK_IDS.includes(id as CheckId)) {
    io.stdout.write(`${formatExplanation(id as CheckId, { color })}\n`);
    return 0;
  }
  if ((MIGRATION_IDS as readonly string[]).includes(id)) {
    const [{ MIGRATION_EXPLANATIONS }, { MIGRATION_CHECKS }] = await Promise.all([
      import('../../../checks/migration/explain.js'),
      import('../../../checks/migration/index.js'),
    ]);
    const needs = MIGRATION_CHECKS.find((check) => check.id === id)?.needs ?? [];
    io.stdout.write(`${formatExplanationPage(id, MIGRATION_EXPLANATIONS[id as keyof typeof MIGRATION_EXPLANATIONS], needs, { color })}\n`);
    return 0;
  }
  const suggestion = closest(id, [...CHECK_IDS, ...MIGRATION_IDS]);
  throw new UsageError(`no check is called ${id}${suggestion ? `; did you mean ${suggestion}?` : ''} (golive explain --list)`, 'explain');
}
