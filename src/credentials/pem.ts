import { describeDerDamage } from './asn1.js';

// PEM as it arrives from real users: pasted through chat tools, environment
// variables, JSON strings and Windows editors. We repair what is unambiguous
// (and say so) and otherwise say exactly what is wrong.

export interface PemBlock {
  /** The word(s) between BEGIN and the dashes, e.g. `RSA PRIVATE KEY`. */
  label: string;
  /** RFC 1421 headers of legacy encrypted keys (`Proc-Type`, `DEK-Info`). */
  headers: Record<string, string>;
  der: Buffer;
}

export type PemParse =
  | { ok: true; blocks: PemBlock[]; repaired: string[] }
  | { ok: false; problem: string };

export const REPAIRS = {
  bom: 'removed a byte order mark',
  quotes: 'removed surrounding quotes',
  literalNewlines: 'replaced literal \\n sequences with line breaks',
  crlf: 'converted CRLF line endings to LF',
  indentation: 'removed indentation before the lines',
  lineBreaks: 'restored lost line breaks (BEGIN/END lines run into the body, or the body on one long line)',
} as const;

const BEGIN = /-----BEGIN ([A-Z0-9 #]*)-----/g;
const END = /-----END ([A-Z0-9 #]*)-----/g;
/** Base64 lines longer than this mean the line breaks were lost (PEM wraps at 64, MIME at 76). */
const MAX_LINE = 76;

/** True when the bytes look like PEM text (possibly damaged). */
export function looksLikePem(bytes: Buffer): boolean {
  const head = bytes.subarray(0, 64 * 1024).toString('latin1');
  return head.includes('-----BEGIN') || head.includes('-----END');
}

export function encodePem(block: PemBlock): string {
  const headers = Object.entries(block.headers).map(([name, value]) => `${name}: ${value}\n`).join('');
  const body = block.der.toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN ${block.label}-----\n${headers}${headers ? '\n' : ''}${body}-----END ${block.label}-----\n`;
}

function normalise(raw: string): { text: string; repaired: string[] } {
  const repaired: string[] = [];
  let text = raw;
  if (text.startsWith('\uFEFF')) {
    text = text.slice(1);
    repaired.push(REPAIRS.bom);
  }
  const trimmed = text.trim();
  if (/^(["']).*\1$/s.test(trimmed) && trimmed.length > 2) {
    text = trimmed.slice(1, -1);
    repaired.push(REPAIRS.quotes);
  }
  if (text.includes('\\n')) {
    text = text.replace(/\\r\\n|\\n/g, '\n');
    repaired.push(REPAIRS.literalNewlines);
  }
  if (text.includes('\r')) {
    text = text.replace(/\r\n?/g, '\n');
    repaired.push(REPAIRS.crlf);
  }
  if (/^[ \t]+-----BEGIN /m.test(text)) {
    text = text.replace(/^[ \t]+/gm, '');
    repaired.push(REPAIRS.indentation);
  }
  return { text, repaired };
}

function describeBadCharacter(body: string, label: string): string | undefined {
  const bad = /[^A-Za-z0-9+/=]/.exec(body);
  if (bad) {
    const shown = JSON.stringify(bad[0]);
    return `the base64 body of the ${label} block has the invalid character ${shown} at position ${bad.index + 1}`;
  }
  const padding = body.indexOf('=');
  if (padding !== -1 && !/^=+$/.test(body.slice(padding))) {
    return `the base64 body of the ${label} block has padding ('=') at position ${padding + 1}, before its end`;
  }
  if (body.length % 4 !== 0) {
    return `the base64 body of the ${label} block has ${body.length} characters, not a multiple of 4: characters are missing`;
  }
  return undefined;
}

function parseBlock(label: string, inner: string): { block: PemBlock; longLines: boolean } | { problem: string } {
  const headers: Record<string, string> = {};
  let rest = inner;
  for (const name of ['Proc-Type', 'DEK-Info']) {
    const match = new RegExp(`${name}:[ \\t]*([^\\s]+)`).exec(rest);
    if (match) {
      headers[name] = match[1]!;
      rest = rest.slice(0, match.index) + rest.slice(match.index + match[0].length);
    }
  }
  const longLines = rest.split('\n').some((line) => line.trim().length > MAX_LINE);
  const body = rest.replace(/\s+/g, '');
  if (body.length === 0) return { problem: `the ${label} block has no base64 body between its BEGIN and END lines` };
  const badCharacter = describeBadCharacter(body, label);
  if (badCharacter) return { problem: badCharacter };
  const der = Buffer.from(body, 'base64');
  // A legacy encrypted body is ciphertext and an OpenSSH key is not DER: only their readers can tell if they are whole.
  const opaque = headers['Proc-Type']?.includes('ENCRYPTED') || label.startsWith('OPENSSH');
  const damage = opaque ? undefined : describeDerDamage(der);
  if (damage) return { problem: `the ${label} block does not hold valid DER (${damage}): the file is truncated or corrupt` };
  return { block: { label, headers, der }, longLines };
}

/**
 * Parses every PEM block of a text, repairing CRLF, literal `\n`, lost line
 * breaks and the like in memory. `repaired` names each repair made.
 */
export function parsePem(raw: string): PemParse {
  const { text, repaired } = normalise(raw);
  const begins = [...text.matchAll(BEGIN)];
  const ends = [...text.matchAll(END)];
  if (begins.length === 0) {
    if (ends.length > 0) return { ok: false, problem: `the file has an '-----END ${ends[0]![1]}-----' line but no BEGIN line` };
    return { ok: false, problem: 'the file has no -----BEGIN line' };
  }
  const orphanEnd = ends.find((end, index) => {
    const begin = begins[index];
    return !begin || begin.index > end.index;
  });
  if (orphanEnd && ends.length !== begins.length) {
    const line = text.slice(0, orphanEnd.index).split('\n').length;
    return { ok: false, problem: `the '-----END ${orphanEnd[1]}-----' line on line ${line} has no BEGIN line before it` };
  }
  const blocks: PemBlock[] = [];
  let lostLineBreaks = false;
  for (const [index, begin] of begins.entries()) {
    const label = begin[1]!;
    const beginAt = begin.index;
    const afterBegin = beginAt + begin[0].length;
    const end = ends.find((candidate) => candidate.index >= afterBegin);
    const nextBegin = begins[index + 1];
    if (!end || (nextBegin && nextBegin.index < end.index)) {
      return { ok: false, problem: `the '-----BEGIN ${label}-----' line has no matching END line: the file is truncated` };
    }
    if (end[1] !== label) {
      return { ok: false, problem: `the '-----BEGIN ${label}-----' block ends with '-----END ${end[1]}-----'` };
    }
    if (beginAt > 0 && text[beginAt - 1] !== '\n') lostLineBreaks = true;
    if (text[afterBegin] !== '\n' || text[end.index - 1] !== '\n') lostLineBreaks = true;
    const parsed = parseBlock(label, text.slice(afterBegin, end.index));
    if ('problem' in parsed) return { ok: false, problem: parsed.problem };
    lostLineBreaks ||= parsed.longLines;
    blocks.push(parsed.block);
  }
  if (lostLineBreaks) repaired.push(REPAIRS.lineBreaks);
  return { ok: true, blocks, repaired };
}
