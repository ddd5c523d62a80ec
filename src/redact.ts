/**
 * Every output path (reports, terminal, errors, --debug) goes through a
 * Redactor. It knows the secrets of the run and replaces each of them with a
 * marker in every form a secret takes on the wire or in a server's answer;
 * it also removes anything shaped like PEM private key material or a JWT,
 * whether or not it was registered, as a second line of defence.
 *
 * A secret is matched character by character, each character other than a
 * letter or digit in any of its encodings (raw; percent-encoded in either hex
 * case, once or twice; `+` for a space; JSON and backslash escapes; XML
 * character references), so one pattern covers form-urlencoding
 * (URLSearchParams or encodeURIComponent style, `~` escaped or not), RFC 3986
 * percent-encoding, JSON strings and mixtures of them. No encoder escapes
 * letters and digits, so they match only as themselves: the longest run of
 * them is a literal a text must hold before the pattern is tried.
 *
 * Base64 is not character-wise: the base64 and base64url forms of the secret
 * (and of its form-encoded forms, as RFC 6749 §2.3.1 puts them in a Basic
 * header) are looked for at each of the three byte alignments, so the secret
 * is found inside any base64 text, e.g. that of `client-id:secret`.
 */
export const REDACTED = '[redacted]';

/** Shorter values would blank out ordinary text; they are also not credible secrets. */
const MIN_SECRET_LENGTH = 4;
/** A shorter run of base64 inside a longer base64 text could turn up by chance. */
const MIN_BASE64_CORE_LENGTH = 8;

const PRIVATE_KEY_BLOCK = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g;
/**
 * A compact JWS or JWE: base64url segments joined by dots, the first of
 * which decodes to a JSON object. A header starts `{"` or `{` and white
 * space, so its base64url starts `ey` or `ew`.
 */
const JWT_CANDIDATE = /e[wy][A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)?/g;
/** The private members of a JWK (RFC 7518 §6.2.2, §6.3.2) written as JSON text. */
const JWK_PRIVATE_MEMBER = /("(?:d|p|q|dp|dq|qi|k)"\s*:\s*)"[A-Za-z0-9_-]{8,}"/g;

const JSON_SHORT_ESCAPES: Record<string, string> = { '\n': 'n', '\r': 'r', '\t': 't', '\b': 'b', '\f': 'f' };
const XML_NAMED: Record<string, string> = { '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' };

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

/** Hex digits of a number, each letter in either case. */
function hexPattern(value: number, width: number): string {
  return value
    .toString(16)
    .toUpperCase()
    .padStart(width, '0')
    .replace(/[A-F]/g, (digit) => `[${digit}${digit.toLowerCase()}]`);
}

/** One character of a secret in any of the encodings a server or an encoder may give it. */
function characterPattern(ch: string): string {
  if (/^[A-Za-z0-9]$/.test(ch)) return ch;
  const code = ch.codePointAt(0)!;
  const forms = [
    escapeRegExp(ch),
    [...Buffer.from(ch, 'utf8')].map((byte) => `%(?:25)?${hexPattern(byte, 2)}`).join(''),
    Array.from({ length: ch.length }, (_, index) => `\\\\u${hexPattern(ch.charCodeAt(index), 4)}`).join(''),
    `&#(?:0*${code}|[xX]0*${hexPattern(code, 1)});`,
  ];
  // A space form-encoded is `+`, and `%2B` once that is percent-encoded again.
  if (ch === ' ') forms.push('\\+', '%(?:25)?2[bB]');
  if (JSON_SHORT_ESCAPES[ch]) forms.push(`\\\\${JSON_SHORT_ESCAPES[ch]}`);
  if (/^[!-/:-@[-`{-~]$/.test(ch)) forms.push(`\\\\${escapeRegExp(ch)}`);
  if (XML_NAMED[ch]) forms.push(`&${XML_NAMED[ch]};`);
  return `(?:${forms.join('|')})`;
}

/** One text to look for: its pattern, and the literal any match holds. */
interface Needle {
  length: number;
  anchor: string;
  pattern: RegExp;
}

function compileNeedle(text: string): Needle {
  const runs = text.match(/[A-Za-z0-9]+/g) ?? [];
  return {
    length: text.length,
    anchor: runs.reduce((longest, run) => (run.length > longest.length ? run : longest), ''),
    pattern: new RegExp(Array.from(text, (ch) => characterPattern(ch)).join(''), 'g'),
  };
}

function formUrlEncoded(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1);
}

/**
 * The base64 and base64url text that encodes `value` wherever it sits in
 * a longer byte string: for each of the three alignments, the characters
 * that depend on its bytes alone.
 */
function base64Cores(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const cores: string[] = [];
  for (const offset of [0, 1, 2]) {
    const padded = Buffer.concat([Buffer.alloc(offset), bytes]);
    const first = Math.ceil((offset * 8) / 6);
    const last = Math.floor((padded.length * 8) / 6);
    for (const encoding of ['base64', 'base64url'] as const) {
      const core = padded.toString(encoding).slice(first, last);
      if (core.length >= MIN_BASE64_CORE_LENGTH) cores.push(core);
    }
  }
  return cores;
}

/** The texts a secret is looked for as, each then matched in any character encoding. */
function needlesOf(secret: string): string[] {
  const base64 = Buffer.from(secret, 'utf8').toString('base64');
  const wireForms = new Set([secret, formUrlEncoded(secret), encodeURIComponent(secret)]);
  return [secret, base64, Buffer.from(secret, 'utf8').toString('base64url'), ...[...wireForms].flatMap(base64Cores)];
}

/** A JWT keeps nothing of itself in the output; text that only looks like one is left alone. */
function redactJwts(text: string): string {
  return text.replace(JWT_CANDIDATE, (candidate) => {
    if (isJsonObject(candidate.slice(0, candidate.indexOf('.')))) return '[redacted token]';
    // The candidate may have started too early (e.g. `keyeyJ…`): look again from the next `ey`/`ew`.
    const next = candidate.slice(1).search(/e[wy]/);
    return next === -1 ? candidate : candidate.slice(0, next + 1) + redactJwts(candidate.slice(next + 1));
  });
}

function isJsonObject(segment: string): boolean {
  const text = Buffer.from(segment, 'base64url').toString('utf8');
  if (!text.trimStart().startsWith('{')) return false;
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed);
  } catch {
    return false;
  }
}

export class Redactor {
  #needles = new Map<string, Needle>();
  /** Longest first, so a secret that contains another is replaced whole; sorted on first use after a change. */
  #ordered: Needle[] | undefined;

  constructor(secrets: Iterable<string> = []) {
    for (const secret of secrets) this.add(secret);
  }

  add(secret: string | undefined): void {
    if (secret === undefined || secret.length < MIN_SECRET_LENGTH) return;
    for (const needle of needlesOf(secret)) {
      if (needle.length >= MIN_SECRET_LENGTH && !this.#needles.has(needle)) {
        this.#needles.set(needle, compileNeedle(needle));
        this.#ordered = undefined;
      }
    }
  }

  text(value: string): string {
    let out = redactJwts(value.replace(PRIVATE_KEY_BLOCK, '[redacted private key]')).replace(JWK_PRIVATE_MEMBER, `$1"${REDACTED}"`);
    this.#ordered ??= [...this.#needles.values()].sort((a, b) => b.length - a.length);
    for (const needle of this.#ordered) {
      if (out.includes(needle.anchor)) out = out.replace(needle.pattern, REDACTED);
    }
    return out;
  }

  /**
   * The same error with its message and stack redacted, for a failure after
   * the run's secrets are known: the CLI's last-resort handler knows none.
   */
  scrub(error: unknown): unknown {
    if (!(error instanceof Error)) return typeof error === 'string' ? this.text(error) : error;
    error.message = this.text(error.message);
    if (error.stack !== undefined) error.stack = this.text(error.stack);
    return error;
  }

  /** A deep copy with every string (keys included) redacted. */
  deep<T>(value: T): T {
    return this.#walk(value, new WeakSet()) as T;
  }

  #walk(value: unknown, seen: WeakSet<object>): unknown {
    if (typeof value === 'string') return this.text(value);
    if (Array.isArray(value)) {
      if (seen.has(value)) return '[circular]';
      seen.add(value);
      return value.map((item) => this.#walk(item, seen));
    }
    if (value !== null && typeof value === 'object') {
      if (seen.has(value)) return '[circular]';
      seen.add(value);
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [this.text(key), this.#walk(item, seen)]));
    }
    return value;
  }
}

/**
 * An HTTP answer with the secrets taken out of its header values and body,
 * for a check to build what it shows from: before anything shortens or
 * reshapes the text (a preview, a decoded field), where the report's own
 * redaction would no longer recognise a secret. A body the redactor leaves
 * alone stays the same bytes.
 */
export function redactAnswer<T extends { headers: Record<string, string>; body: Buffer }>(answer: T, redactor: Redactor): T {
  const text = answer.body.toString('utf8');
  const body = redactor.text(text);
  return {
    ...answer,
    headers: Object.fromEntries(Object.entries(answer.headers).map(([name, value]) => [name, redactor.text(value)])),
    body: body === text ? answer.body : Buffer.from(body, 'utf8'),
  };
}
