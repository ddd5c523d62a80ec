/**
 * The YAML text of the configs `golive init` writes, the starter config and
 * the Postman import alike: the lines both begin with, and one way to quote
 * a value, to put outside text into a comment and to align comments.
 */

const SCHEMA_URL = 'https://golive.dev/schemas/config.schema.json';

/** The first line of every config `golive init` writes: editors validate the file against the schema. */
export const SCHEMA_COMMENT = `# yaml-language-server: $schema=${SCHEMA_URL}`;

export const SECRETS_COMMENT = '# Secrets stay out of this file: every ${VAR} is read from the environment (or --env-file).';

/** An aligned comment's `#` stands after this many characters (unless its line is longer), so a config reads as two columns. */
const COMMENT_COLUMN = 37;

/** The longest text from outside golive (a Postman name) put into a comment. */
const MAX_COMMENT_TEXT_LENGTH = 120;

/** A line with its comment aligned; an empty `text` continues the comment above. */
export function commented(text: string, comment: string): string {
  return `${text.padEnd(COMMENT_COLUMN - 2)}  # ${comment}`;
}

/**
 * A YAML double-quoted scalar that reads back as `value`. JSON's escapes
 * cover C0 controls, quotes and lone surrogates; the rest YAML does not
 * count as printable or some readers take as a line break (DEL, C1 such as
 * NEL, U+2028/2029, BOM, format characters such as bidi overrides) is
 * escaped too, so the file holds nothing a reader or a reviewer misreads.
 */
export function yamlString(value: string): string {
  return JSON.stringify(value).replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\uFFFE\uFFFF]/gu, (char) => {
    const code = char.codePointAt(0)!;
    return code > 0xffff ? `\\U${code.toString(16).padStart(8, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * Text from outside golive (a Postman name) made fit for a comment: a
 * comment ends at the first line break and cannot escape anything, so
 * controls, line and paragraph separators, format characters and lone
 * surrogates become spaces (a NUL would make `golive check` refuse the file
 * as binary), and a long name is cut short.
 */
export function commentText(text: string): string {
  const cut = text.length > MAX_COMMENT_TEXT_LENGTH ? `${text.slice(0, MAX_COMMENT_TEXT_LENGTH)}…` : text;
  return cut.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\uFFFE\uFFFF]/gu, ' ');
}
