import path from 'node:path';
import type { PostmanImport } from './types.js';

function table(rows: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
}

/**
 * What `golive init --from-postman` prints after writing: every decision,
 * and the names (never the values) of what was left out. `shown` is the
 * config file as the user named it; the files written sit in its folder.
 */
export function describePostmanImport(imported: PostmanImport, source: string, shown: string): string {
  const out: string[] = [];
  const count = imported.variableCount;
  out.push(`Imported ${count} variable${count === 1 ? '' : 's'} from ${source}${imported.name ? ` (Postman environment "${imported.name}")` : ''}.`);
  for (const file of imported.files) {
    const where = path.join(path.dirname(shown), file.path);
    out.push(`Wrote ${where} (mode ${file.mode.toString(8).padStart(4, '0')}) from ${file.from}; its content is not shown.`);
  }
  out.push(`Wrote ${shown}.`);
  if (imported.mapped.length > 0) {
    out.push('', 'Mapped:', ...table(imported.mapped.map(({ variable, field }) => [variable, `-> ${field}`])));
  }
  if (imported.inferred.length > 0) {
    out.push('', 'Inferred (review):', ...table(imported.inferred.map(({ field, value, reason }) => [`${field}: ${value}`, reason])));
  }
  if (imported.guessed.length > 0) {
    out.push('', `Guessed (not in the export: confirm or edit in ${shown}):`, ...table(imported.guessed.map(({ field, value, reason }) => [`${field}: ${value}`, reason])));
  }
  if (imported.ignored.length > 0) {
    out.push('', 'Not used:', ...table(imported.ignored.map(({ variable, reason }) => [variable, reason])));
  }
  if (imported.unknown.length > 0) {
    out.push('', `Not imported, unknown to golive (values not shown): ${imported.unknown.join(', ')}`);
  }
  if (imported.todo.length > 0) {
    out.push('', 'To do by hand:', ...imported.todo.map((item) => `  - ${item}`));
  }
  if (imported.exports.length > 0) {
    out.push('', 'Secrets are not in the config. Before golive check, export:');
    for (const { name, from } of imported.exports) out.push(`  export ${name}=...   # the value of ${from} in Postman (not shown here)`);
  }
  out.push('', `Next: golive check ${shown}`);
  return out.join('\n') + '\n';
}
