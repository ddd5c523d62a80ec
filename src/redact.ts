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
 *
 * A text longer than MAX_PATTERN_LENGTH (a token, a JWT, most base64 forms)
 * is looked for as whole strings instead, by plain string search: a secret
 * as itself, JSON-escaped (`/` as it is or as `\/`) and percent-encoded
 * (form-urlencoded, encodeURIComponent, and form-urlencoded then encoded
 * again; hex in either case), a base64 text only as itself. A per-character
 * pattern costs V8 about a millisecond per non-alphanumeric character to
 * compile, runs in time proportional to its length at each position of the
 * text, and past a few thousand characters overflows the stack of the
 * pattern parser. Mixtures of encodings inside a long text are not found;
 * its raw form always is.
 *
 * A lone surrogate cannot be encoded (encodeURIComponent throws): encoders
 * and UTF-8 carry it as U+FFFD, so a secret holding one is looked for in
 * both forms.
 */
export const REDACTED = '[redacted]';

/** Shorter values would blank out ordinary text; they are also not credible secrets. */
const MIN_SECRET_LENGTH = 4;
/** A shorter run of base64 inside a longer base64 text could turn up by chance. */
const MIN_BASE64_CORE_LENGTH = 8;
/**
 * Longer texts are looked for as whole strings. Client secrets fit (most
 * providers issue 32 to 64 characters); a longer secret is most often a token.
 */
const MAX_PATTERN_LENGTH = 64;

/**
 * A private key in PEM, from its BEGIN line to its END line or, cut short, to
 * the end of the text. Only a BEGIN line followed by key material is one (the
 * base64 body, after any Proc-Type/DEK-Info headers, line breaks raw or
 * JSON-escaped): a message that names the line ("the '-----BEGIN PRIVATE
 * KEY-----' line") quotes no key and stays whole.
 */
const PRIVATE_KEY_BLOCK =
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----(?=(?:\s|\\[rn])*(?:[A-Za-z-]{1,32}:[^\n\\]{0,256}(?:\r?\n|\\r?\\n)(?:\s|\\[rn])*)*[A-Za-z0-9+/=])[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g;
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
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

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
  if (wellFormed(ch) !== ch) forms.push(characterPattern(wellFormed(ch)));
  return `(?:${forms.join('|')})`;
}

/** One text to look for, and how to take it out of a text. */
interface Needle {
  length: number;
  /**
   * What a text must hold for `redact` to change it: all the texts of one of
   * these lists at least.
   */
  requires: readonly (readonly string[])[];
  redact(text: string): string;
}

/** `encodings` gives the whole forms a text too long for a pattern is looked for as. */
function compileNeedle(text: string, encodings: (text: string) => string[]): Needle {
  if (text.length <= MAX_PATTERN_LENGTH) return characterwiseNeedle(text);
  const forms = encodings(text);
  return {
    length: text.length,
    requires: forms.map((form) => [form]),
    redact: (value) => forms.reduce((out, form) => out.replaceAll(form, REDACTED), value),
  };
}

function characterwiseNeedle(text: string): Needle {
  // Letters and digits match only as themselves, so a match holds every run of them.
  const runs = text.match(/[A-Za-z0-9]+/g) ?? [];
  // The literal any match holds: texts without it are not worth running the pattern on.
  const anchor = runs.reduce((longest, run) => (run.length > longest.length ? run : longest), '');
  const pattern = new RegExp(Array.from(text, (ch) => characterPattern(ch)).join(''), 'g');
  return { length: text.length, requires: [runs], redact: (value) => (value.includes(anchor) ? value.replace(pattern, REDACTED) : value) };
}

/**
 * Up to this many needles, each is tried on every text, as it costs less than
 * looking a long text up piece by piece (a few secrets have a hundred needles).
 */
const FEW_NEEDLES = 128;
/** Characters of a required text the index files a needle under. */
const GRAM = 4;
/** Places in a required text the index considers filing under: any one will do, so a few suffice. */
const GRAM_CHOICES = 64;

/** A needle and its place in the order needles apply in. */
interface Filed {
  needle: Needle;
  /** Needles apply longest first, so a secret that contains another is replaced whole; then oldest first. */
  order: readonly [negativeLength: number, added: number];
}

function precedes(a: Filed, b: Filed): boolean {
  return a.order[0] < b.order[0] || (a.order[0] === b.order[0] && a.order[1] < b.order[1]);
}

/**
 * The needles, each filed under GRAM characters of a text it requires (the
 * least shared such piece), once for each list of texts that may satisfy it.
 * Past FEW_NEEDLES, a text is tried only on needles filed under a piece of
 * it, so the work per text follows its length, not the number of secrets (a
 * run of many configs knows the secrets of them all).
 */
class NeedleIndex {
  readonly #byGram = new Map<string, Filed[]>();
  /** Needles that require no text of GRAM characters: tried on every text. */
  readonly #always: Filed[] = [];
  /** Every needle in order, while there are FEW_NEEDLES at most. */
  #few: Filed[] | undefined = [];
  #added = 0;

  get size(): number {
    return this.#added;
  }

  add(needle: Needle): void {
    const filed: Filed = { needle, order: [-needle.length, this.#added++] };
    if (this.#added > FEW_NEEDLES) this.#few = undefined;
    if (this.#few) {
      let at = this.#few.length;
      while (at > 0 && !precedes(this.#few[at - 1]!, filed)) at--;
      this.#few.splice(at, 0, filed);
    }
    const grams = needle.requires.map((texts) => this.#leastShared(texts));
    if (grams.includes(undefined)) {
      this.#always.push(filed);
      return;
    }
    for (const gram of new Set(grams as string[])) {
      const shelf = this.#byGram.get(gram);
      if (shelf) shelf.push(filed);
      else this.#byGram.set(gram, [filed]);
    }
  }

  /**
   * The piece of the texts with the fewest needles filed under it, from the
   * longest text among equals (the least likely in other text), or undefined
   * when no text is GRAM long.
   */
  #leastShared(texts: readonly string[]): string | undefined {
    let best: string | undefined;
    let fewest = Infinity;
    for (const text of [...texts].sort((a, b) => b.length - a.length)) {
      for (let at = 0; at + GRAM <= text.length && at < GRAM_CHOICES; at++) {
        const gram = text.slice(at, at + GRAM);
        const filed = this.#byGram.get(gram)?.length ?? 0;
        if (filed < fewest) [best, fewest] = [gram, filed];
      }
    }
    return best;
  }

  /** The needles that may change `text`, in order, from the one after `after` on. */
  candidates(text: string, after?: Filed): Filed[] {
    if (this.#few) return after === undefined ? this.#few : this.#few.filter((filed) => precedes(after, filed));
    const found = new Set<Filed>();
    const consider = (filed: Filed): void => {
      if (after === undefined || precedes(after, filed)) found.add(filed);
    };
    this.#always.forEach(consider);
    for (let at = 0; at + GRAM <= text.length; at++) this.#byGram.get(text.slice(at, at + GRAM))?.forEach(consider);
    return [...found].sort((a, b) => (precedes(a, b) ? -1 : 1));
  }
}

/** The encodings a long text is looked for as, longest first so that one holding another is replaced whole. */
function wholeEncodings(text: string): string[] {
  const carried = wellFormed(text);
  const forms = new Set<string>();
  for (const value of new Set([text, carried])) {
    const json = JSON.stringify(value).slice(1, -1);
    forms.add(value).add(json).add(json.replaceAll('/', '\\/'));
  }
  const form = formUrlEncoded(carried);
  for (const percentEncoded of [form, encodeURIComponent(carried), encodeURIComponent(form)]) forms.add(percentEncoded).add(lowerHex(percentEncoded));
  return [...forms].sort((a, b) => b.length - a.length);
}

/** A lone surrogate cannot be encoded: encoders and UTF-8 carry it as U+FFFD. */
function wellFormed(value: string): string {
  return value.replace(LONE_SURROGATE, '\uFFFD');
}

function formUrlEncoded(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1);
}

/** Percent-encoded text with its hex digits in lower case. */
function lowerHex(percentEncoded: string): string {
  // A byte loop: a callback per escape costs tens of milliseconds on a long secret. The text is
  // ASCII, every `%` opens an escape, and bit 0x20 lower-cases A-F and leaves digits as they are.
  const bytes = Buffer.from(percentEncoded, 'latin1');
  for (let at = 0; at < bytes.length; at++) {
    if (bytes[at] === 0x25) {
      bytes[at + 1] = bytes[at + 1]! | 0x20;
      bytes[at + 2] = bytes[at + 2]! | 0x20;
    }
  }
  return bytes.toString('latin1');
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

/** The base64 and base64url texts of a secret, whole and at each alignment inside longer base64. */
function base64Texts(secret: string): string[] {
  const carried = wellFormed(secret);
  const bytes = Buffer.from(carried, 'utf8');
  const wireForms = new Set([carried, formUrlEncoded(carried), encodeURIComponent(carried)]);
  return [bytes.toString('base64'), bytes.toString('base64url'), ...[...wireForms].flatMap(base64Cores)];
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

/** Texts up to this length are remembered once redacted: a report repeats its keys, titles and file names for every config. */
const REMEMBERED_LENGTH = 256;
/** And at most this many (a megabyte or so), forgotten all at once past it. */
const REMEMBERED_COUNT = 8192;

export class Redactor {
  /** Every text looked for: the secrets and their encodings. */
  readonly #known = new Set<string>();
  readonly #index = new NeedleIndex();
  /** Short texts redacted since the last needle was added, and what they became. */
  readonly #remembered = new Map<string, string>();

  constructor(secrets: Iterable<string> = []) {
    for (const secret of secrets) this.add(secret);
  }

  /** How many texts it looks for (the secrets and their encodings): unchanged while it learns no secret. */
  get known(): number {
    return this.#known.size;
  }

  add(secret: string | undefined): void {
    if (secret === undefined || secret.length < MIN_SECRET_LENGTH) return;
    this.#register(secret, wholeEncodings);
    // Base64 travels as it is (a Basic header, a token), and a secret has twenty base64 texts,
    // most longer than itself: encoding each again would cost more than all the rest.
    for (const text of base64Texts(secret)) this.#register(text, (base64) => [base64]);
  }

  #register(text: string, encodings: (text: string) => string[]): void {
    if (text.length < MIN_SECRET_LENGTH || this.#known.has(text)) return;
    this.#known.add(text);
    this.#index.add(compileNeedle(text, encodings));
    this.#remembered.clear();
  }

  text(value: string): string {
    if (value.length > REMEMBERED_LENGTH) return this.#redact(value);
    let out = this.#remembered.get(value);
    if (out === undefined) {
      out = this.#redact(value);
      if (this.#remembered.size >= REMEMBERED_COUNT) this.#remembered.clear();
      this.#remembered.set(value, out);
    }
    return out;
  }

  #redact(value: string): string {
    let out = redactJwts(value.replace(PRIVATE_KEY_BLOCK, '[redacted private key]')).replace(JWK_PRIVATE_MEMBER, `$1"${REDACTED}"`);
    if (this.#index.size === 0) return out;
    let candidates = this.#index.candidates(out);
    for (let next = 0; next < candidates.length; next++) {
      const filed = candidates[next]!;
      const redacted = filed.needle.redact(out);
      if (redacted !== out) {
        out = redacted;
        // The new text may hold a literal the old one did not: look again, for the needles after this one.
        candidates = this.#index.candidates(out, filed);
        next = -1;
      }
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
    return this.#walk(value, new WeakSet(), false) as T;
  }

  /**
   * What `deep` gives, for a value built of this redactor's own copies (a
   * report of redacted check results, once more secrets are known): plain
   * data that needs no change is kept, not copied again.
   */
  deepAgain<T>(value: T): T {
    return this.#walk(value, new WeakSet(), true) as T;
  }

  #walk(value: unknown, seen: WeakSet<object>, share: boolean): unknown {
    if (typeof value === 'string') return this.text(value);
    if (value === null || typeof value !== 'object') return value;
    if (seen.has(value)) return '[circular]';
    seen.add(value);
    // Anything but plain data is copied, into plain data, and so is all it holds.
    const keep = share && isPlainData(value);
    if (Array.isArray(value)) {
      const items = value.map((item) => this.#walk(item, seen, keep));
      return keep && items.every((item, index) => item === value[index]) ? value : items;
    }
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    // Kept data is copied only from its first change on: the part before it is taken as it was.
    let copy: Record<string, unknown> | undefined = keep ? undefined : {};
    for (const [index, key] of keys.entries()) {
      const item = record[key];
      const redactedKey = this.text(key);
      const redactedItem = this.#walk(item, seen, keep);
      if (!copy && (redactedKey !== key || redactedItem !== item)) {
        copy = {};
        for (const before of keys.slice(0, index)) setOwn(copy, before, record[before]);
      }
      if (copy) setOwn(copy, redactedKey, redactedItem);
    }
    return copy ?? value;
  }
}

/** An own data property, as a parsed JSON object has it: assigned, `__proto__` would set the prototype. */
function setOwn(object: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
  else object[key] = value;
}

/** An array or object that `deep` would copy into an equal one: own enumerable string keys only, dense. */
function isPlainData(value: object): boolean {
  const keys = Object.keys(value).length;
  const own = Reflect.ownKeys(value).length;
  if (Array.isArray(value)) return Object.getPrototypeOf(value) === Array.prototype && keys === value.length && own === keys + 1;
  return Object.getPrototypeOf(value) === Object.prototype && own === keys;
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
