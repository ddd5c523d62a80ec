/**
 * The YAML most golive configs are written in, read line by line: block
 * mappings of plain keys, single-line scalars (plain, or quoted without
 * escapes), lists of them, `[]`, comments and blank lines. That is what
 * `golive init` writes and what people keep. The yaml library reads the same
 * text through a generator lexer, a parser and a composer: about 200 KB of
 * short-lived objects and a millisecond for a 16-line config once warm, and
 * 12 ms more for the first (its code compiling: config.parse took 18 ms of a
 * 54 ms offline check, 6.5 ms now). A run of hundreds of configs paid the
 * 200 KB for each, over a quarter of all it allocated.
 *
 * Anything else returns undefined and the caller parses with the library:
 * flow collections other than `[]`, anchors, tags, block and multi-line
 * scalars, escapes, duplicate keys, directives, any character but printable
 * ASCII and line feeds (tabs, CRLF, non-ASCII even in comments), and
 * plain scalars that YAML 1.2's core schema reads as a number other than a
 * small decimal integer. The library alone
 * decides what is invalid and how to say so: this reader only ever declines.
 */

/** A line of a block: its indentation, and its text after it. */
interface Line {
  indent: number;
  text: string;
}

/** A block being read: a mapping or a list, and the indentation of its lines. */
interface Block {
  indent: number;
  value: Record<string, unknown> | unknown[];
}

const KEY = /^([A-Za-z][A-Za-z0-9_-]*):(?: +|$)/;
/** Plain keys and values the core schema reads as null or a boolean. */
const NULL = new Set(['null', 'Null', 'NULL']);
const BOOLEANS = new Map([
  ['true', true],
  ['True', true],
  ['TRUE', true],
  ['false', false],
  ['False', false],
  ['FALSE', false],
]);
/**
 * A plain scalar: letters, digits and the punctuation of paths, URLs, names
 * and `${VARIABLE}` references; not `: `, ` #` or a `:` at the end. Brackets
 * and braces only after the first character: there they are text, in a block.
 * A `-` first only before a letter, digit, `_` or `-` (a random base64url kid).
 */
const PLAIN = /^(?:[A-Za-z0-9_/.$]|-(?=[A-Za-z0-9_-]))[A-Za-z0-9_./~+@%=:,?&${}[\] -]*$/;
/** Every plain scalar YAML 1.2's core schema reads as a number (the yaml library's own tests, as parse.ts uses it). */
const CORE_NUMBER =
  /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
/** The numbers read here: small decimal integers. Any other number is declined. */
const INTEGER = /^(?:0|[1-9][0-9]{0,14})$/;
/** What may follow a value on its line: spaces, and a comment after at least one. */
const LINE_END = /^(?: +(?:#.*)?)?$/;

const DECLINED = Symbol('declined');

/** A scalar value as the core schema reads it, or DECLINED. */
function scalar(text: string): unknown {
  const quote = text[0];
  if (quote === '"' || quote === "'") {
    const end = text.indexOf(quote, 1);
    if (end === -1) return DECLINED;
    const body = text.slice(1, end);
    if ((quote === '"' && body.includes('\\')) || !LINE_END.test(text.slice(end + 1))) return DECLINED;
    return body;
  }
  if (text === '[]' || text.startsWith('[] ')) return LINE_END.test(text.slice(2)) ? [] : DECLINED;
  const comment = text.indexOf(' #');
  const plain = (comment === -1 ? text : text.slice(0, comment)).trimEnd();
  if (!PLAIN.test(plain) || plain.includes(': ') || plain.endsWith(':')) return DECLINED;
  if (NULL.has(plain)) return null;
  const boolean = BOOLEANS.get(plain);
  if (boolean !== undefined) return boolean;
  // A number, or text that starts like one: an organisation id `6226f120-…` is a string.
  if (CORE_NUMBER.test(plain)) return INTEGER.test(plain) ? Number(plain) : DECLINED;
  return plain;
}

/** The lines that hold content (not blank, not only a comment); undefined for a text this reader declines outright. */
function contentLines(source: string): Line[] | undefined {
  if (/[^\n\x20-\x7E]/.test(source)) return undefined;
  const lines: Line[] = [];
  for (const line of source.split('\n')) {
    const text = line.trimStart();
    if (text === '' || text[0] === '#') continue;
    lines.push({ indent: line.length - text.length, text });
  }
  return lines.length > 0 && lines[0]!.indent === 0 ? lines : undefined;
}

/** The config's data as the yaml library's `toJS()` gives it, or undefined when the text is not of the plain kind this reads. */
export function readPlainYaml(source: string): Record<string, unknown> | undefined {
  const lines = contentLines(source);
  if (!lines) return undefined;
  const root: Record<string, unknown> = {};
  const open: Block[] = [{ indent: 0, value: root }];
  // A key whose value is the block on the lines below it, if they are indented further; else null.
  let pending: { map: Record<string, unknown>; key: string; indent: number } | undefined;
  for (const { indent, text } of lines) {
    const item = text === '-' || text.startsWith('- ');
    if (pending) {
      const value: Block['value'] | null = indent > pending.indent ? (item ? [] : {}) : null;
      pending.map[pending.key] = value;
      if (value) open.push({ indent, value });
      pending = undefined;
    }
    while (open.at(-1)!.indent > indent) open.pop();
    const block = open.at(-1)!;
    if (block.indent !== indent) return undefined;
    if (Array.isArray(block.value)) {
      if (!item) return undefined;
      const value = scalar(text.slice(1).trimStart());
      if (value === DECLINED) return undefined;
      block.value.push(value);
      continue;
    }
    const key = KEY.exec(text);
    if (!key || NULL.has(key[1]!) || BOOLEANS.has(key[1]!) || Object.hasOwn(block.value, key[1]!)) return undefined;
    const rest = text.slice(key[0].length);
    if (rest === '' || rest[0] === '#') {
      pending = { map: block.value, key: key[1]!, indent };
      continue;
    }
    const value = scalar(rest);
    if (value === DECLINED) return undefined;
    block.value[key[1]!] = value;
  }
  if (pending) pending.map[pending.key] = null;
  return root;
}
