import type { AuthMethod } from '../config/types.js';

export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/**
 * The application/x-www-form-urlencoded form of one value (WHATWG URL
 * standard: space as `+`, UTF-8 percent-encoding of everything but
 * alphanumerics and `*-._`).
 */
export function formUrlEncode(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1);
}

/**
 * The `Authorization: Basic` value of RFC 6749 §2.3.1: client id and secret
 * are each form-url-encoded before they are joined by `:` and base64-encoded,
 * so a `:` or `%` in the secret survives the trip.
 */
export function basicAuthorization(clientId: string, secret: string): string {
  return `Basic ${Buffer.from(`${formUrlEncode(clientId)}:${formUrlEncode(secret)}`, 'utf8').toString('base64')}`;
}

export type ClientCredentials =
  | { method: 'client_secret_basic' | 'client_secret_post'; clientId: string; secret: string }
  | { method: 'private_key_jwt'; clientId: string; assertion: string };

export interface TokenRequestParts {
  headers: Record<string, string>;
  body: string;
  /** What was sent, by name only: safe for evidence. */
  sent: { fields: string[]; authorizationHeader?: string };
  /**
   * The credentials, as given and exactly as they go on the wire (the Basic
   * credentials, a form field as encoded in the body), for redaction: a
   * server may echo them back in either form.
   */
  secrets: string[];
}

/** The client credentials grant request for one client authentication method. */
export function buildTokenRequest(credentials: ClientCredentials, scopes: readonly string[]): TokenRequestParts {
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (scopes.length > 0) form.set('scope', scopes.join(' '));
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
    'user-agent': 'golive',
  };
  let authorizationHeader: string | undefined;
  const secrets: string[] = [];
  switch (credentials.method) {
    case 'client_secret_basic':
      headers.authorization = basicAuthorization(credentials.clientId, credentials.secret);
      authorizationHeader = 'Basic (form-url-encoded client id and secret)';
      secrets.push(credentials.secret, headers.authorization.slice('Basic '.length));
      break;
    case 'client_secret_post':
      form.set('client_id', credentials.clientId);
      form.set('client_secret', credentials.secret);
      secrets.push(credentials.secret, formUrlEncode(credentials.secret));
      break;
    case 'private_key_jwt':
      form.set('client_id', credentials.clientId);
      form.set('client_assertion_type', CLIENT_ASSERTION_TYPE);
      form.set('client_assertion', credentials.assertion);
      secrets.push(credentials.assertion, formUrlEncode(credentials.assertion));
      break;
  }
  return {
    headers,
    body: form.toString(),
    sent: { fields: [...form.keys()], ...(authorizationHeader && { authorizationHeader }) },
    secrets,
  };
}

/** How the client authenticates, in a few words for messages. */
export function describeAuthMethod(method: AuthMethod): string {
  switch (method) {
    case 'client_secret_basic':
      return 'client_secret_basic (secret in the Authorization header)';
    case 'client_secret_post':
      return 'client_secret_post (secret in the form body)';
    case 'private_key_jwt':
      return 'private_key_jwt (signed client assertion)';
  }
}
