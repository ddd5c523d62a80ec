import { oauthErrorOf, parseJsonObject } from '../net/answer.js';

/**
 * Classifies what a token endpoint answered. Total: any status, headers and
 * bytes give a result and never an exception. The access token is kept in
 * `accessToken` only; `members` never holds it.
 */
export type TokenAnswer =
  | {
      kind: 'token';
      accessToken: string;
      tokenType?: unknown;
      expiresIn?: unknown;
      scope?: unknown;
      /** The JSON members other than access_token (refresh_token and id_token left out too). */
      members: Record<string, unknown>;
    }
  | { kind: 'oauth-error'; status: number; error: string; description?: string; uri?: string; members: Record<string, unknown> }
  /** 2xx with JSON that has no usable access_token: names of the members present. */
  | { kind: 'no-access-token'; status: number; memberNames: string[]; reason: string }
  /** A body that is not a JSON object; `formEncoded` when it looks like `access_token=…&…`. */
  | { kind: 'not-json'; status: number; contentType?: string; bytes: number; preview?: string; formEncoded: boolean }
  /** Non-2xx JSON without an OAuth `error` member. */
  | { kind: 'http-error'; status: number; members: Record<string, unknown> };

/** Members that are credentials themselves: never copied out of the response. */
const CREDENTIAL_MEMBERS = new Set(['access_token', 'refresh_token', 'id_token']);

const PREVIEW_CHARS = 80;

function withoutCredentials(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([name]) => !CREDENTIAL_MEMBERS.has(name)));
}

/** A printable start of a body, unless it may hold a credential. */
function previewOf(text: string): string | undefined {
  if (/access_token|refresh_token|id_token|eyJ/i.test(text)) return undefined;
  const flat = text.replace(/\s+/g, ' ').replace(/[^\x20-\x7e]/g, '?').trim();
  if (flat.length === 0) return undefined;
  return flat.length > PREVIEW_CHARS ? `${flat.slice(0, PREVIEW_CHARS)}…` : flat;
}

export function parseTokenAnswer(status: number, contentType: string | undefined, body: Buffer): TokenAnswer {
  const value = parseJsonObject(body);
  if (!value) {
    const text = body.toString('utf8');
    const preview = previewOf(text);
    return {
      kind: 'not-json',
      status,
      ...(contentType !== undefined && { contentType }),
      bytes: body.length,
      ...(preview !== undefined && { preview }),
      formEncoded: /(^|&)access_token=/.test(text.trim()),
    };
  }
  const members = withoutCredentials(value);
  const oauth = oauthErrorOf(value);
  if (oauth && (status < 200 || status >= 300 || value.access_token === undefined)) return { kind: 'oauth-error', status, ...oauth, members };
  if (status < 200 || status >= 300) return { kind: 'http-error', status, members };
  const token = value.access_token;
  if (typeof token !== 'string' || token.length === 0) {
    return {
      kind: 'no-access-token',
      status,
      memberNames: Object.keys(value),
      reason: token === undefined ? 'it has no access_token member' : `its access_token is ${token === '' ? 'empty' : `a ${token === null ? 'null' : typeof token}, not a string`}`,
    };
  }
  return {
    kind: 'token',
    accessToken: token,
    ...(value.token_type !== undefined && { tokenType: value.token_type }),
    ...(value.expires_in !== undefined && { expiresIn: value.expires_in }),
    ...(value.scope !== undefined && { scope: value.scope }),
    members,
  };
}
