import type { ResolvedConfig } from './types.js';

/**
 * Values pasted from a portal, an email or an env file bring characters
 * nobody sees: surrounding whitespace, a line break (a CRLF env file), a
 * zero-width space. The platform compares client ids, secrets, organisation
 * ids and kids exactly, so golive names them wherever they cause a refusal,
 * escaped, never raw (and a secret by its length only).
 */

/** Whitespace, and the invisible characters a copy brings along (zero-width spaces and joiners, word joiner, BOM). */
const UNSEEN = '\\s\\u200b-\\u200d\\u2060\\ufeff';
const LEADING = new RegExp(`^[${UNSEEN}]+`);
const UNSEEN_CHARACTER = new RegExp(`[${UNSEEN}]`);
const LINE_BREAK = /[\n\r\u2028\u2029]/;
const INVISIBLE = /[\u200b-\u200d\u2060\ufeff]/;
/** What JSON.stringify leaves raw but a reader cannot see or tell apart. */
const ESCAPE_TOO = /[\u007f-\u00a0\u00ad\u1680\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\ufeff]/g;

/**
 * The unseen characters a value ends with. Scanned from the end: a regular
 * expression anchored with `$` retries from every position of an inner run,
 * so a config value holding half a megabyte of spaces took minutes.
 */
function trailingRun(value: string): string {
  let start = value.length;
  while (start > 0 && UNSEEN_CHARACTER.test(value[start - 1]!)) start -= 1;
  return value.slice(start);
}

/** A value as JSON writes a string, with invisible characters escaped too: `"abc\n"`, `"kid\u200b"`. */
export function escaped(value: string): string {
  return JSON.stringify(value).replace(ESCAPE_TOO, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function kindOf(character: string): string {
  if (LINE_BREAK.test(character)) return 'line break';
  if (character === ' ') return 'space';
  if (character === '\t') return 'tab';
  if (character === '\u00a0') return 'no-break space';
  if (INVISIBLE.test(character)) return 'invisible character';
  return 'whitespace character';
}

/** A run of unseen characters in words: "a line break", "2 spaces", with the characters escaped unless `secret`. */
function describeRun(run: string, secret: boolean): string {
  const kinds = new Set([...run].map(kindOf));
  const [kind] = kinds;
  let words: string;
  if (/^(\r\n|\n|\r)$/.test(run)) words = 'a line break';
  else if (kinds.size > 1) words = `${run.length} whitespace characters`;
  else if (run.length === 1) words = `${/^[aeiou]/.test(kind!) ? 'an' : 'a'} ${kind}`;
  else words = `${run.length} ${kind}s`;
  // Spaces read plainly; other characters are shown escaped, but never a secret's.
  return secret || (kinds.size === 1 && kind === 'space') ? words : `${words} (${escaped(run)})`;
}

/**
 * Where a value has characters nobody sees, e.g. `ends with a line break ("\n")`;
 * undefined when it has none. For a secret (`secret: true`) the characters
 * are named but not shown.
 */
export function unseenCharacters(value: string, { secret = false } = {}): string | undefined {
  const leading = LEADING.exec(value)?.[0] ?? '';
  if (leading.length === value.length) return value === '' ? undefined : `is only ${describeRun(value, secret)}`;
  const trailing = trailingRun(value);
  const inner = value.slice(leading.length, value.length - trailing.length);
  const parts = [
    ...(leading ? [`starts with ${describeRun(leading, secret)}`] : []),
    ...(trailing ? [`ends with ${describeRun(trailing, secret)}`] : []),
    ...(LINE_BREAK.test(inner) ? ['holds a line break'] : []),
    ...(INVISIBLE.test(inner) ? ['holds an invisible character'] : []),
  ];
  return parts.length > 0 ? parts.join(' and ') : undefined;
}

/** The config fields the platform compares exactly, and what it does with one that carries unseen characters. */
export type PastedField = 'organisationId' | 'client.id' | 'client.secret' | 'signing.kid';

/** A field whose value carries unseen characters. */
export interface PastedValue {
  field: PastedField;
  /** The field and its value escaped, or for the secret its length: `client.id "abc\n"`, `client.secret (44 characters)`. */
  shown: string;
  /** Where the unseen characters are. */
  where: string;
}

/** The field and value as a message shows them: escaped, or for a secret only its length. */
export function showValue(field: PastedField, value: string): string {
  return field === 'client.secret' ? `${field} (${value.length} characters)` : `${field} ${escaped(value)}`;
}

/** Each field of the config whose value carries unseen characters, in the order the config names them. */
export function pastedValues(config: ResolvedConfig): PastedValue[] {
  const fields: Array<[PastedField, string | undefined]> = [
    ['organisationId', config.organisationId],
    ['client.id', config.client.id],
    ['client.secret', config.client.secret],
    ['signing.kid', config.signing?.kid],
  ];
  return fields.flatMap(([field, value]) => {
    const where = value === undefined ? undefined : unseenCharacters(value, { secret: field === 'client.secret' });
    return where === undefined || value === undefined ? [] : [{ field, shown: showValue(field, value), where }];
  });
}

/** Where a pasted value's unseen characters are to be removed, for hints. */
export const WHERE_VALUES_COME_FROM = '(the variable, the env file: check quotes and CRLF line ends, or the config)';

/** The hint for one field whose value carries unseen characters. */
export function removeUnseenFrom(field: PastedField): string {
  return `Remove the unseen characters from ${field} where its value comes from ${WHERE_VALUES_COME_FROM}`;
}

/** The value without the characters a copy brought along: what the user meant to paste. */
export function withoutUnseen(value: string): string {
  const trimmed = value.replace(LEADING, '');
  return trimmed.slice(0, trimmed.length - trailingRun(trimmed).length).replace(new RegExp(INVISIBLE.source, 'g'), '');
}

/** What the platform does with a value that is not exactly the registered one. */
const CONSEQUENCE: Record<PastedField, string> = {
  organisationId: 'the organisation JWKS URL, which holds organisationId, does not exist (404)',
  'client.id': 'the token endpoint refuses the client (invalid_client)',
  'client.secret': 'the token endpoint refuses the client (invalid_client)',
  'signing.kid': 'the platform finds no key under signing.kid',
};

/** "a", "a and b", "a, b, and c". */
export function listInWords(items: readonly string[]): string {
  if (items.length <= 2) return items.join(' and ');
  return `${items.slice(0, -1).join(', ')}, and ${items.at(-1)}`;
}

/** What the values' unseen characters make the platform do, once each, in words. */
export function consequencesOf(values: readonly PastedValue[]): string {
  return listInWords([...new Set(values.map(({ field }) => CONSEQUENCE[field]))]);
}
