/**
 * POSIX shell words for the --curl commands. A word is built from literal
 * text and variable references, so a secret is only ever written as
 * `${NAME}` and expanded by the shell that runs the command.
 */
export type Segment = { literal: string } | { variable: string };

export const literal = (text: string): Segment => ({ literal: text });
export const variable = (name: string): Segment => ({ variable: name });

/** Characters no POSIX shell treats specially anywhere in a word. */
const BARE = /^[A-Za-z0-9_@%+=:,./-]+$/;
/** Literal text that reads the same inside double quotes (no expansion, no history `!`). */
const DOUBLE_QUOTE_SAFE = /^[^$`"\\!]*$/;

export function quoteLiteral(text: string): string {
  if (BARE.test(text)) return text;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** One shell word: `'literal'`, `"prefix ${NAME}"`, or a concatenation of both. */
export function shellWord(...segments: Segment[]): string {
  const variables = segments.some((segment) => 'variable' in segment);
  if (!variables) return quoteLiteral(segments.map((segment) => ('literal' in segment ? segment.literal : '')).join(''));
  if (segments.every((segment) => 'variable' in segment || DOUBLE_QUOTE_SAFE.test(segment.literal))) {
    return `"${segments.map((segment) => ('variable' in segment ? `\${${segment.variable}}` : segment.literal)).join('')}"`;
  }
  return segments.map((segment) => ('variable' in segment ? `"\${${segment.variable}}"` : segment.literal === '' ? '' : quoteLiteral(segment.literal))).join('');
}

/** Control characters would be invisible (or act on the terminal) in a printed command. */
export function hasControlCharacters(text: string): boolean {
  return /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/.test(text);
}
