import { createHash, X509Certificate } from 'node:crypto';
import { decodeJwt, isoFromEpochSeconds } from './jwt.js';

/** What can be said about an access token without showing it. */
export type AccessTokenView =
  | { format: 'JWT'; header: Record<string, unknown>; claims: Record<string, unknown>; issuedAt?: string; expiresAt?: string; length: number }
  | { format: 'opaque'; length: number };

export function viewAccessToken(token: string): AccessTokenView {
  const decoded = decodeJwt(token);
  if (!decoded) return { format: 'opaque', length: token.length };
  const issuedAt = isoFromEpochSeconds(decoded.claims.iat);
  const expiresAt = isoFromEpochSeconds(decoded.claims.exp);
  return {
    format: 'JWT',
    header: decoded.header,
    claims: decoded.claims,
    ...(issuedAt && { issuedAt }),
    ...(expiresAt && { expiresAt }),
    length: token.length,
  };
}

/** The `cnf.x5t#S256` a JWT access token is bound to, if any. */
export function boundThumbprint(claims: Record<string, unknown>): string | undefined {
  const cnf = claims.cnf;
  if (cnf === null || typeof cnf !== 'object') return undefined;
  const value = (cnf as Record<string, unknown>)['x5t#S256'];
  return typeof value === 'string' ? value : undefined;
}

const FIRST_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

/** RFC 8705 `x5t#S256` of the leaf of a PEM chain: base64url SHA-256 of its DER. */
export function certificateThumbprint(pemChain: string): string | undefined {
  const leaf = FIRST_CERTIFICATE.exec(pemChain)?.[0];
  if (!leaf) return undefined;
  try {
    return createHash('sha256').update(new X509Certificate(leaf).raw).digest('base64url');
  } catch {
    return undefined;
  }
}

/** The scopes a token grants: the response `scope`, else the JWT `scope`/`scp` claim; undefined when neither says. */
export function grantedScopes(responseScope: unknown, claims: Record<string, unknown> | undefined): string[] | undefined {
  const split = (value: string) => value.split(' ').filter(Boolean);
  if (typeof responseScope === 'string') return split(responseScope);
  if (typeof claims?.scope === 'string') return split(claims.scope);
  if (Array.isArray(claims?.scp)) return claims.scp.filter((item): item is string => typeof item === 'string');
  if (typeof claims?.scp === 'string') return split(claims.scp);
  return undefined;
}
