/**
 * Every output path (reports, terminal, errors, --debug) goes through a
 * Redactor. It replaces known secret values, and the encodings a secret
 * takes on the wire (base64, base64url, percent-encoding), with a marker;
 * it also removes anything shaped like PEM private key material or a JWT,
 * whether or not it was registered, as a second line of defence.
 */
export const REDACTED = '[redacted]';

/** Shorter values would blank out ordinary text; they are also not credible secrets. */
const MIN_SECRET_LENGTH = 4;

const PRIVATE_KEY_BLOCK = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g;
const JWT = /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g;
/** The private members of a JWK (RFC 7518 §6.2.2, §6.3.2) written as JSON text. */
const JWK_PRIVATE_MEMBER = /("(?:d|p|q|dp|dq|qi|k)"\s*:\s*)"[A-Za-z0-9_-]{8,}"/g;

function encodings(secret: string): string[] {
  const base64 = Buffer.from(secret, 'utf8').toString('base64');
  return [
    secret,
    base64,
    base64.replace(/=+$/, ''),
    Buffer.from(secret, 'utf8').toString('base64url'),
    encodeURIComponent(secret),
    JSON.stringify(secret).slice(1, -1),
  ];
}

export class Redactor {
  #needles: string[] = [];

  constructor(secrets: Iterable<string> = []) {
    for (const secret of secrets) this.add(secret);
  }

  add(secret: string | undefined): void {
    if (secret === undefined || secret.length < MIN_SECRET_LENGTH) return;
    for (const form of encodings(secret)) {
      if (form.length >= MIN_SECRET_LENGTH && !this.#needles.includes(form)) this.#needles.push(form);
    }
    // Longest first, so a secret that contains another is replaced whole.
    this.#needles.sort((a, b) => b.length - a.length);
  }

  text(value: string): string {
    let out = value
      .replace(PRIVATE_KEY_BLOCK, '[redacted private key]')
      .replace(JWT, '[redacted token]')
      .replace(JWK_PRIVATE_MEMBER, `$1"${REDACTED}"`);
    for (const needle of this.#needles) {
      if (out.includes(needle)) out = out.split(needle).join(REDACTED);
    }
    return out;
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
