import { publicMembersOf } from '../credentials/jwk.js';
import type { PublishedJwk } from '../online/types.js';
import { bodySnippet } from './wording.js';

/** Why a body is not a usable JSON Web Key Set. */
export type JwksProblem =
  | { code: 'empty-body' }
  | { code: 'html'; title?: string; start: string }
  | { code: 'binary'; bytes: number }
  | { code: 'not-json'; start: string; error: string }
  | { code: 'not-object'; jsonType: string }
  | { code: 'no-keys'; members: string[] }
  | { code: 'keys-not-array'; keysType: string }
  | { code: 'empty-keys' }
  | { code: 'no-key-objects'; entries: number; types: string[] };

/** Something wrong with one entry of `keys` that does not make the set unusable. */
export interface KeyIssue {
  index: number;
  kid?: string;
  code: 'not-object' | 'no-kid' | 'duplicate-kid' | 'no-kty' | 'incomplete' | 'malformed-member' | 'private-members';
  /** What is wrong, in words, naming members but never their values. */
  detail: string;
}

export type ParsedJwks =
  | { ok: true; keys: PublishedJwk[]; kids: string[]; issues: KeyIssue[] }
  | { ok: false; problem: JwksProblem };

/** Members that only a private JWK carries (RFC 7518 §6.2.2, §6.3.2, §6.4). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Text that is mostly not printable: NULs or many replacement characters from invalid UTF-8. */
function looksBinary(text: string): boolean {
  const sample = text.slice(0, 512);
  let odd = 0;
  for (let i = 0; i < sample.length; i++) {
    const code = sample.charCodeAt(i);
    if (code === 0) return true;
    if (code === 0xfffd || (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d)) odd++;
  }
  return odd > sample.length / 10;
}

function htmlTitle(text: string): string | undefined {
  const title = /<title[^>]*>([^<]{0,300})<\/title>/i.exec(text)?.[1];
  return title === undefined ? undefined : bodySnippet(title, 100);
}

/** True for an HTML page: by content type, or by a body that opens with markup. */
export function isHtml(text: string, contentType?: string): boolean {
  if (contentType && /^\s*(text\/html|application\/xhtml\+xml)\b/i.test(contentType)) return true;
  return /^\s*<(!doctype html|html|head|body|\?xml|!--)/i.test(text);
}

function keyIssues(key: Record<string, unknown>, index: number): KeyIssue[] {
  const issues: KeyIssue[] = [];
  const kid = typeof key.kid === 'string' && key.kid !== '' ? key.kid : undefined;
  const at = (code: KeyIssue['code'], detail: string): KeyIssue => ({ index, ...(kid !== undefined && { kid }), code, detail });
  if (key.kid === undefined || key.kid === '') issues.push(at('no-kid', 'has no kid'));
  else if (typeof key.kid !== 'string') issues.push(at('malformed-member', `has a kid that is ${jsonTypeOf(key.kid)}, not a string`));
  if (typeof key.kty !== 'string') {
    issues.push(at('no-kty', key.kty === undefined ? 'has no kty' : `has a kty that is ${jsonTypeOf(key.kty)}`));
  } else {
    // The members a key type needs before it can be matched; none for a kty golive does not match.
    const required = publicMembersOf(key.kty) ?? [];
    const missing = required.map(([member]) => member).filter((member) => typeof key[member] !== 'string' || key[member] === '');
    if (missing.length > 0) issues.push(at('incomplete', `is kty ${key.kty} without ${missing.join(', ')}`));
  }
  for (const member of ['use', 'alg', 'x5t#S256', 'x5t'] as const) {
    if (key[member] !== undefined && typeof key[member] !== 'string') {
      issues.push(at('malformed-member', `has a ${member} that is ${jsonTypeOf(key[member])}, not a string`));
    }
  }
  if (key.x5c !== undefined && !(Array.isArray(key.x5c) && key.x5c.length > 0 && key.x5c.every((cert) => typeof cert === 'string'))) {
    issues.push(at('malformed-member', 'has an x5c that is not a non-empty array of base64 certificates'));
  }
  const secret = PRIVATE_MEMBERS.filter((member) => key[member] !== undefined);
  if (secret.length > 0) issues.push(at('private-members', `publishes private key members (${secret.join(', ')})`));
  return issues;
}

/**
 * Reads a JWKS body. Never throws: whatever the bytes, the answer is either
 * the keys (with what is wrong with single entries) or the one reason the
 * body is not a key set.
 */
export function parseJwks(body: string | Uint8Array, contentType?: string): ParsedJwks {
  const raw = typeof body === 'string' ? body : new TextDecoder('utf-8', { fatal: false, ignoreBOM: false }).decode(body);
  const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  if (text.trim() === '') return { ok: false, problem: { code: 'empty-body' } };
  if (looksBinary(text)) return { ok: false, problem: { code: 'binary', bytes: typeof body === 'string' ? Buffer.byteLength(body) : body.length } };

  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    if (isHtml(text, contentType)) {
      const title = htmlTitle(text);
      return { ok: false, problem: { code: 'html', ...(title !== undefined && { title }), start: bodySnippet(text) } };
    }
    return { ok: false, problem: { code: 'not-json', start: bodySnippet(text), error: error instanceof Error ? error.message : String(error) } };
  }

  if (!isRecord(document)) return { ok: false, problem: { code: 'not-object', jsonType: jsonTypeOf(document) } };
  if (!Object.hasOwn(document, 'keys')) return { ok: false, problem: { code: 'no-keys', members: Object.keys(document).slice(0, 20) } };
  const entries = document.keys;
  if (!Array.isArray(entries)) return { ok: false, problem: { code: 'keys-not-array', keysType: jsonTypeOf(entries) } };
  if (entries.length === 0) return { ok: false, problem: { code: 'empty-keys' } };

  const keys: PublishedJwk[] = [];
  const kids: string[] = [];
  const issues: KeyIssue[] = [];
  const seen = new Set<string>();
  entries.forEach((entry: unknown, index) => {
    if (!isRecord(entry)) {
      issues.push({ index, code: 'not-object', detail: `is ${jsonTypeOf(entry)}, not a key object` });
      return;
    }
    issues.push(...keyIssues(entry, index));
    if (typeof entry.kid === 'string' && entry.kid !== '') {
      if (seen.has(entry.kid)) issues.push({ index, kid: entry.kid, code: 'duplicate-kid', detail: 'repeats a kid already used by an earlier key' });
      else kids.push(entry.kid);
      seen.add(entry.kid);
    }
    // Private members never travel further than this function, not even to other checks.
    const exposed = PRIVATE_MEMBERS.some((member) => entry[member] !== undefined);
    keys.push((exposed ? Object.fromEntries(Object.entries(entry).filter(([name]) => !PRIVATE_MEMBERS.includes(name))) : entry) as PublishedJwk);
  });
  if (keys.length === 0) {
    return { ok: false, problem: { code: 'no-key-objects', entries: entries.length, types: [...new Set(entries.map(jsonTypeOf))] } };
  }
  return { ok: true, keys, kids, issues };
}
