import { threddErrorOf, TRACE_HEADERS, type ThreddError } from '../online/thredd-errors.js';
import type { Evidence } from '../pipeline/check.js';
import { DECODED_CODINGS, MAX_DECODED_CODINGS, type HttpResponse } from './http.js';

/**
 * One reading of an HTTP answer, from the standard signals it carries, for
 * every check that makes a request (JWKS, token, probe): status class and
 * code, the authentication challenges (RFC 9110 §11), Retry-After, the
 * Content-Type against what the endpoint should return, the Content-Encoding
 * golive decoded (or could not), Location, the server's Date, and the error
 * bodies (Thredd's, OAuth's). Total: any status, headers and bytes give a
 * reading, never an exception; header values are bounded before parsing.
 */

export type StatusClass = 'informational' | 'success' | 'redirect' | 'client-error' | 'server-error' | 'invalid';

/** What an answer means before any check's own reading, from the first row of KINDS that holds. */
export type AnswerKind =
  | 'undecodable'
  | 'proxy-authentication'
  | 'unauthenticated'
  | 'forbidden'
  | 'not-found'
  | 'rate-limited'
  | 'server-error'
  | 'redirect'
  | 'client-error'
  | 'success'
  | 'unexpected';

/** One challenge of a `WWW-Authenticate` or `Proxy-Authenticate` header. */
export interface Challenge {
  /** As sent (`Basic`, `Bearer`); schemes compare case-insensitively. */
  scheme: string;
  token68?: string;
  /** Auth parameters by lower-case name; the first of a repeated name wins. */
  params: ReadonlyMap<string, string>;
}

export interface RetryAfter {
  raw: string;
  /** Seconds from the run's clock; undefined when the value is neither delta-seconds nor an HTTP-date. */
  seconds?: number;
}

export interface ContentTypeReading {
  raw?: string;
  /** `type/subtype`, lower case. */
  mediaType?: string;
  json: boolean;
  /** Whether it is what the endpoint should return. */
  asExpected: boolean;
}

export interface LocationReading {
  raw: string;
  /** Resolved against the request URL; undefined when it does not parse. */
  href?: string;
  /** Another host than the one asked. */
  elsewhere: boolean;
  /** The same host over https, asked over http. */
  upgrade: boolean;
}

export interface ServerDate {
  raw: string;
  /** Undefined when it is not an HTTP-date. */
  ms?: number;
  /** The run's clock minus the server's (positive: the server is behind). */
  skewMs?: number;
}

/** A body golive could not decode: a Content-Encoding it does not know, more codings than it undoes, or bytes that are not that encoding. */
export type Undecodable =
  | { encoding: string; problem: 'unsupported' }
  /** `encoding` is the start of the chain; `count` how many codings it holds. */
  | { encoding: string; problem: 'too-many'; count: number }
  /** `reason` and `code` are zlib's. */
  | { encoding: string; problem: 'corrupt'; reason: string; code?: string };

export interface AnswerReading {
  status: number;
  statusClass: StatusClass;
  kind: AnswerKind;
  /** `WWW-Authenticate` */
  challenges: Challenge[];
  /** `Proxy-Authenticate` */
  proxyChallenges: Challenge[];
  retryAfter?: RetryAfter;
  contentType: ContentTypeReading;
  /** The content codings the server applied, in order (golive undid them unless `undecodable`). */
  contentEncoding: string[];
  undecodable?: Undecodable;
  location?: LocationReading;
  serverDate?: ServerDate;
  /** No body at all (and none was cut off). */
  empty: boolean;
  thredd?: ThreddError;
  oauth?: OAuthErrorBody;
  /** Response headers that identify the request to support. */
  requestIds: Record<string, string>;
}

/** The signals the kind is decided from. */
interface Signals {
  status: number;
  undecodable: Undecodable | undefined;
}

/** Most specific first. A success whose body golive could not decode is not a success; an error status says more than its body. */
const KINDS: ReadonlyArray<readonly [AnswerKind, (signals: Signals) => boolean]> = [
  ['undecodable', ({ status, undecodable }) => undecodable !== undefined && status >= 200 && status <= 299],
  ['proxy-authentication', ({ status }) => status === 407],
  ['unauthenticated', ({ status }) => status === 401],
  ['forbidden', ({ status }) => status === 403],
  ['not-found', ({ status }) => status === 404 || status === 410],
  ['rate-limited', ({ status }) => status === 429],
  ['server-error', ({ status }) => status >= 500 && status <= 599],
  ['redirect', ({ status }) => status >= 300 && status <= 399],
  ['client-error', ({ status }) => status >= 400 && status <= 499],
  ['success', ({ status }) => status >= 200 && status <= 299],
  ['unexpected', () => true],
];

export function statusClass(status: number): StatusClass {
  if (!Number.isInteger(status) || status < 100 || status > 599) return 'invalid';
  return (['informational', 'success', 'redirect', 'client-error', 'server-error'] as const)[Math.floor(status / 100) - 1]!;
}

/** Header values longer than this are read only this far: a server cannot make golive parse megabytes. */
const MAX_HEADER_CHARS = 8_192;
const MAX_CHALLENGES = 16;
const MAX_PARAMS = 32;

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68_CHAR = /[A-Za-z0-9\-._~+/]/;

/**
 * The challenges of a `WWW-Authenticate` or `Proxy-Authenticate` value
 * (several headers arrive joined by commas), per RFC 9110 §11.2:
 * `scheme [ token68 | param=value, … ]`, values a token or a quoted string
 * with backslash escapes. Malformed parts are skipped.
 */
export function parseChallenges(header: string | undefined): Challenge[] {
  if (!header) return [];
  const text = header.slice(0, MAX_HEADER_CHARS);
  const n = text.length;
  let i = 0;
  const isSpace = (at: number): boolean => text[at] === ' ' || text[at] === '\t';
  const skipSpace = (): void => {
    while (i < n && isSpace(i)) i++;
  };
  const readWhile = (allowed: RegExp): string => {
    const start = i;
    while (i < n && allowed.test(text[i]!)) i++;
    return text.slice(start, i);
  };
  const readQuoted = (): string => {
    let value = '';
    for (i++; i < n && text[i] !== '"'; i++) {
      if (text[i] === '\\' && i + 1 < n) i++;
      value += text[i];
    }
    i++;
    return value;
  };
  const skipElement = (): void => {
    while (i < n && text[i] !== ',') {
      if (text[i] === '"') readQuoted();
      else i++;
    }
  };
  /** After a comma: whether `name =` follows (a parameter of the same challenge) rather than a new scheme. */
  const paramFollows = (): boolean => {
    const mark = i;
    while (i < n && (text[i] === ',' || isSpace(i))) i++;
    const name = readWhile(TCHAR);
    skipSpace();
    const follows = name !== '' && text[i] === '=';
    i = mark;
    return follows;
  };

  const challenges: Challenge[] = [];
  while (i < n && challenges.length < MAX_CHALLENGES) {
    while (i < n && (text[i] === ',' || isSpace(i))) i++;
    if (i >= n) break;
    const scheme = readWhile(TCHAR);
    if (scheme === '') {
      skipElement();
      continue;
    }
    const params = new Map<string, string>();
    const challenge: { scheme: string; token68?: string; params: Map<string, string> } = { scheme, params };
    challenges.push(challenge);
    skipSpace();
    if (i >= n || text[i] === ',') continue;
    const start = i;
    const token68 = readWhile(TOKEN68_CHAR) + readWhile(/=/);
    skipSpace();
    if (/^[^=]/.test(token68) && (i >= n || text[i] === ',')) {
      challenge.token68 = token68;
      continue;
    }
    i = start;
    for (;;) {
      const name = readWhile(TCHAR);
      skipSpace();
      if (name === '' || text[i] !== '=') {
        skipElement();
        break;
      }
      i++;
      skipSpace();
      const value = text[i] === '"' ? readQuoted() : readWhile(TCHAR);
      const key = name.toLowerCase();
      if (!params.has(key) && params.size < MAX_PARAMS) params.set(key, value);
      skipSpace();
      if (i < n && text[i] !== ',') skipElement();
      if (i >= n || !paramFollows()) break;
      while (i < n && (text[i] === ',' || isSpace(i))) i++;
    }
  }
  return challenges;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const IMF_FIXDATE = /^[A-Za-z]{3}, (\d{2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const RFC850_DATE = /^[A-Za-z]{6,9}, (\d{2})-([A-Za-z]{3})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const ASCTIME_DATE = /^[A-Za-z]{3} ([A-Za-z]{3}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/;

/**
 * An HTTP-date (RFC 9110 §5.6.7: IMF-fixdate, or the obsolete RFC 850 and
 * asctime forms) in milliseconds since the epoch; undefined for anything
 * else. Stricter than Date.parse, which reads "5" as the year 2005.
 */
export function parseHttpDate(value: string, now: number): number | undefined {
  const text = value.trim();
  let parts: [day: string, month: string, year: number, hour: string, minute: string, second: string] | undefined;
  let match = IMF_FIXDATE.exec(text);
  if (match) parts = [match[1]!, match[2]!, Number(match[3]), match[4]!, match[5]!, match[6]!];
  else if ((match = RFC850_DATE.exec(text))) {
    // RFC 9110: a two-digit year more than 50 years ahead of now is in the previous century.
    const century = Math.floor(new Date(now).getUTCFullYear() / 100) * 100;
    const year = century + Number(match[3]);
    parts = [match[1]!, match[2]!, year - new Date(now).getUTCFullYear() > 50 ? year - 100 : year, match[4]!, match[5]!, match[6]!];
  } else if ((match = ASCTIME_DATE.exec(text))) parts = [match[2]!.trim(), match[1]!, Number(match[6]), match[3]!, match[4]!, match[5]!];
  if (!parts) return undefined;
  const [day, month, year, hour, minute, second] = parts;
  const monthIndex = MONTHS.indexOf(month.toLowerCase());
  if (monthIndex < 0 || Number(hour) > 23 || Number(minute) > 59 || Number(second) > 60) return undefined;
  // setUTCFullYear, not Date.UTC: that reads the years 0 to 99 as 1900 to 1999.
  const date = new Date(0);
  date.setUTCFullYear(year, monthIndex, Number(day));
  date.setUTCHours(Number(hour), Number(minute), Number(second));
  // 31 Feb rolls over: not a date.
  return date.getUTCDate() === Number(day) ? date.getTime() : undefined;
}

/** `Retry-After` (RFC 9110 §10.2.3): delta-seconds, or an HTTP-date taken against the run's clock. */
export function parseRetryAfter(raw: string | undefined, now: number): RetryAfter | undefined {
  if (raw === undefined) return undefined;
  const text = raw.trim().slice(0, MAX_HEADER_CHARS);
  if (/^\d{1,10}$/.test(text)) return { raw, seconds: Number(text) };
  const at = parseHttpDate(text, now);
  return at === undefined ? { raw } : { raw, seconds: Math.max(0, Math.ceil((at - now) / 1000)) };
}

/** Whether a media type is JSON: `application/json` or any `+json` type (e.g. `application/problem+json`). */
export function isJsonMediaType(mediaType: string | undefined): boolean {
  return mediaType !== undefined && (mediaType === 'application/json' || /^application\/[\w.-]+\+json$/.test(mediaType));
}

export function readContentType(raw: string | undefined): ContentTypeReading {
  if (raw === undefined || raw.trim() === '') return { json: false, asExpected: false };
  const mediaType = raw.slice(0, MAX_HEADER_CHARS).split(';')[0]!.trim().toLowerCase();
  const json = isJsonMediaType(mediaType);
  return { raw, ...(mediaType !== '' && { mediaType }), json, asExpected: json };
}

/** The content codings of a `Content-Encoding` value, in the order applied (`identity` left out). */
export function contentCodings(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  return raw
    .slice(0, MAX_HEADER_CHARS)
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
}

function readLocation(raw: string | undefined, requested: string): LocationReading | undefined {
  if (raw === undefined) return undefined;
  let base: URL | undefined;
  let target: URL | undefined;
  try {
    base = new URL(requested);
    target = new URL(raw.slice(0, MAX_HEADER_CHARS), base);
  } catch {
    target = undefined;
  }
  if (!base || !target) return { raw, elsewhere: false, upgrade: false };
  return {
    raw,
    href: target.href,
    elsewhere: target.host !== base.host,
    upgrade: base.protocol === 'http:' && target.protocol === 'https:' && target.host === base.host,
  };
}

function readServerDate(raw: string | undefined, now: number): ServerDate | undefined {
  if (raw === undefined) return undefined;
  const ms = parseHttpDate(raw.slice(0, MAX_HEADER_CHARS), now);
  return ms === undefined ? { raw } : { raw, ms, skewMs: now - ms };
}

/** An OAuth error body (RFC 6749 §5.2): `error`, with `error_description` and `error_uri` when given. */
export interface OAuthErrorBody {
  error: string;
  description?: string;
  uri?: string;
}

/** The OAuth error a parsed JSON object holds: a non-empty string `error`; else undefined. */
export function oauthErrorOf(value: Record<string, unknown>): OAuthErrorBody | undefined {
  const { error, error_description: description, error_uri: uri } = value;
  if (typeof error !== 'string' || error.length === 0) return undefined;
  return { error, ...(typeof description === 'string' && { description }), ...(typeof uri === 'string' && { uri }) };
}

/** Error bodies are small: a larger body is not parsed for one. */
const MAX_ERROR_BODY_BYTES = 65_536;

/** A body that is a JSON object, else undefined. */
export function parseJsonObject(body: Buffer): Record<string, unknown> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
}

function errorBodyOf(body: Buffer, contentType: ContentTypeReading): Record<string, unknown> | undefined {
  if (body.length === 0 || body.length > MAX_ERROR_BODY_BYTES) return undefined;
  // A body labelled as something else than JSON is still read when it starts like an object: gateways mislabel their JSON errors.
  if (contentType.mediaType !== undefined && !contentType.json && body.subarray(0, 64).toString('utf8').trimStart()[0] !== '{') return undefined;
  return parseJsonObject(body);
}

export interface ReadOptions {
  /** The run's clock (`ctx.now()`): Retry-After dates and the server's Date are taken against it. */
  now: number;
}

/** Reads an answer; `response` is what the HTTP session returned (its headers lower-cased). */
export function readAnswer(response: Pick<HttpResponse, 'url' | 'status' | 'headers' | 'body' | 'truncated'> & Partial<Pick<HttpResponse, 'undecodable'>>, { now }: ReadOptions): AnswerReading {
  const { status, headers, body } = response;
  const header = (name: string): string | undefined => (Object.hasOwn(headers, name) ? headers[name] : undefined);
  const contentType = readContentType(header('content-type'));
  const object = errorBodyOf(body, contentType);
  const thredd = object && threddErrorOf(object);
  const oauth = object && oauthErrorOf(object);
  const retryAfter = parseRetryAfter(header('retry-after'), now);
  const location = readLocation(header('location'), response.url);
  const serverDate = readServerDate(header('date'), now);
  const requestIds = Object.fromEntries(TRACE_HEADERS.flatMap((name) => (header(name) ? [[name, header(name)!]] : [])));
  const signals: Signals = { status, undecodable: response.undecodable };
  return {
    status,
    statusClass: statusClass(status),
    kind: KINDS.find(([, holds]) => holds(signals))![0],
    challenges: parseChallenges(header('www-authenticate')),
    proxyChallenges: parseChallenges(header('proxy-authenticate')),
    ...(retryAfter && { retryAfter }),
    contentType,
    contentEncoding: contentCodings(header('content-encoding')),
    ...(response.undecodable && { undecodable: response.undecodable }),
    ...(location && { location }),
    ...(serverDate && { serverDate }),
    empty: body.length === 0 && !response.truncated,
    ...(thredd && { thredd }),
    ...(oauth && { oauth }),
    requestIds,
  };
}

/** A JWT, or credentials after an auth scheme: servers echo requests in their challenges. */
const LOOKS_LIKE_CREDENTIAL = /eyJ[\w-]{8,}|\b(?:Bearer|Basic)\s+[\w\-.~+/]{12,}/i;

/**
 * Printable and short: header text comes from a server golive does not
 * trust. Text that may quote a credential is withheld: the redaction of the
 * report knows only whole secrets, not a quote cut short here.
 */
function shown(value: string, max = 120): string {
  if (LOOKS_LIKE_CREDENTIAL.test(value)) return '(withheld: it may quote a credential)';
  const flat = value.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '?');
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

function quoted(value: string): string {
  return `"${shown(value).replace(/["\\]/g, '\\$&')}"`;
}

/** A challenge as a person reads it: `Basic realm="golive-sandbox"`; a token68 by its length only. */
export function describeChallenge(challenge: Challenge): string {
  const scheme = shown(challenge.scheme, 40);
  if (challenge.token68 !== undefined) return `${scheme} (a ${challenge.token68.length}-character token)`;
  const params = [...challenge.params].map(([name, value]) => `${shown(name, 40)}=${quoted(value)}`);
  return params.length === 0 ? scheme : `${scheme} ${params.join(', ')}`;
}

export function describeChallenges(challenges: readonly Challenge[]): string {
  return challenges.map(describeChallenge).join(', ');
}

/** The `error` and `error_description` a challenge carries (RFC 6750 §3), from the first challenge that has one. */
export function challengeError(challenges: readonly Challenge[]): { error: string; description?: string } | undefined {
  const found = challenges.find((challenge) => challenge.params.has('error'));
  if (!found) return undefined;
  const description = found.params.get('error_description');
  return { error: shown(found.params.get('error')!, 80), ...(description !== undefined && { description: shown(description, 300) }) };
}

/** `Content-Encoding: gzip, but the body is not valid gzip (incorrect header check, Z_DATA_ERROR)`: follows "answered 200 with". */
export function describeUndecodable(undecodable: Undecodable): string {
  const encoding = shown(undecodable.encoding, 40);
  switch (undecodable.problem) {
    case 'unsupported':
      return `Content-Encoding: ${encoding}, which golive does not decode (it asks for ${DECODED_CODINGS.join(', ')})`;
    case 'too-many':
      return `Content-Encoding: ${encoding} (${undecodable.count} codings), more than the ${MAX_DECODED_CODINGS} golive undoes one after another`;
    case 'corrupt':
      return `Content-Encoding: ${encoding}, but the body is not valid ${encoding} (${shown(undecodable.reason, 80)}${undecodable.code === undefined ? '' : `, ${shown(undecodable.code, 40)}`})`;
  }
}

/** `it asks to retry after 30 s`, or undefined when the answer gives no usable Retry-After. */
export function retryAdvice(retryAfter: RetryAfter | undefined): string | undefined {
  if (retryAfter?.seconds === undefined) return undefined;
  return retryAfter.seconds === 0 ? 'it says a retry may come at once (Retry-After)' : `it asks to retry after ${retryAfter.seconds} s (Retry-After)`;
}

/** The challenges as evidence: plain data, parameters as an object. */
function challengeFacts(challenges: readonly Challenge[]): Evidence[] {
  return challenges.map((challenge) => ({
    scheme: challenge.scheme,
    ...(challenge.token68 !== undefined && { token68Length: challenge.token68.length }),
    ...(challenge.params.size > 0 && { params: Object.fromEntries(challenge.params) }),
  }));
}

/**
 * The reading as evidence, the same in every check: status, content type and
 * encoding, the server's Date and the skew, the ids support asks for, the
 * challenges, Retry-After and Location, when the answer carries them.
 */
export function answerEvidence(reading: AnswerReading, headers: Record<string, string>): Evidence {
  const raw = (name: string): string | undefined => (Object.hasOwn(headers, name) ? headers[name] : undefined);
  return {
    status: reading.status,
    ...(reading.contentType.raw !== undefined && { contentType: reading.contentType.raw }),
    ...(reading.contentEncoding.length > 0 && { contentEncoding: reading.contentEncoding.join(', ') }),
    ...(reading.undecodable && { undecodable: reading.undecodable }),
    serverDate: reading.serverDate?.raw ?? null,
    ...(reading.serverDate?.skewMs !== undefined && { clockSkewMs: reading.serverDate.skewMs }),
    ...(Object.keys(reading.requestIds).length > 0 && { requestIds: reading.requestIds }),
    ...(reading.thredd?.traceId !== undefined && { traceId: reading.thredd.traceId }),
    ...(reading.challenges.length > 0 && { wwwAuthenticate: raw('www-authenticate'), challenges: challengeFacts(reading.challenges) }),
    ...(reading.proxyChallenges.length > 0 && { proxyAuthenticate: raw('proxy-authenticate'), proxyChallenges: challengeFacts(reading.proxyChallenges) }),
    ...(reading.retryAfter && { retryAfter: reading.retryAfter.raw, ...(reading.retryAfter.seconds !== undefined && { retryAfterSeconds: reading.retryAfter.seconds }) }),
    ...(reading.location && { location: reading.location.href ?? reading.location.raw }),
  };
}
