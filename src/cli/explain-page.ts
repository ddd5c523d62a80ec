import type { AnyCheck } from '../pipeline/check.js';

// The page `golive explain <id>` prints, from a check's own documentation:
// the same layout for the `check` checks and the `diff` checks.

const WIDTH = 78;
const INDENT = '  ';
const BULLET = '- ';

/** Bold headings only: the page must read the same without colour. */
function bold(text: string, color: boolean): string {
  return color ? `\u001b[1m${text}\u001b[22m` : text;
}

/** Words of a text; a `code span` stays whole so a command wraps as one piece and copies intact. */
function words(text: string): string[] {
  return text.match(/(?:[^\s`]*`[^`]*`)+[^\s`]*|\S+/g) ?? [];
}

function wrap(text: string, firstPrefix: string, restPrefix: string): string {
  const lines: string[] = [];
  let line = firstPrefix;
  let empty = true;
  for (const word of words(text)) {
    if (!empty && line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = restPrefix + word;
    } else {
      line += (empty ? '' : ' ') + word;
    }
    empty = false;
  }
  lines.push(line);
  return lines.join('\n');
}

function bullets(items: readonly string[]): string {
  return items.map((item) => wrap(item, INDENT + BULLET, INDENT + ' '.repeat(BULLET.length))).join('\n');
}

/** The page `golive explain <id>` prints for a check. */
export function formatExplanationPage(check: AnyCheck, options: { color: boolean }): string {
  const { explain } = check;
  const needs = check.needs.map((need) => need.id);
  const sections = [
    bold(`${check.id}: ${check.title}`, options.color),
    `${bold('What it verifies', options.color)}\n${wrap(explain.verifies, INDENT, INDENT)}`,
    `${bold('Common causes', options.color)}\n${bullets(explain.causes)}`,
    `${bold('How to fix', options.color)}\n${bullets(explain.fixes)}`,
    `${bold('Needs', options.color)}\n${INDENT}${needs.length > 0 ? needs.join(', ') : 'nothing: runs first'}`,
  ];
  if (check.optionalNeeds.length > 0) {
    sections.push(
      `${bold('Uses, when they ran', options.color)}\n${INDENT}${check.optionalNeeds.map((need) => need.id).join(', ')} (runs whatever their result)`,
    );
  }
  if (explain.seeAlso && explain.seeAlso.length > 0) {
    sections.push(`${bold('See also', options.color)}\n${INDENT}${explain.seeAlso.map((other) => `golive explain ${other}`).join('\n' + INDENT)}`);
  }
  return sections.join('\n\n');
}

/** One line per check, in report order: what `golive explain` prints without an id. */
export function listExplanations(checks: readonly AnyCheck[]): string {
  const width = Math.max(...checks.map((check) => check.id.length));
  return checks.map((check) => `${check.id.padEnd(width)}  ${check.title}`).join('\n');
}
