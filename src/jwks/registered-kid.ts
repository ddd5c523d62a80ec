import type { ResolvedConfig } from '../config/types.js';
import type { KeyPair } from '../credentials/types.js';
import { HttpFailure, type HttpSession } from '../net/http.js';
import { tlsMaterialFor } from '../net/material.js';
import { localKeyMaterial, matchKeyToJwks } from './match.js';
import { parseJwks } from './parse.js';
import { rankMatches } from './registration.js';

export type KidLookup = { kid: string; source: 'jwks' } | { kid?: undefined; source: 'none'; reason: string };

/**
 * The kid the organisation JWKS registers this signing key under: the
 * default for the assertion header when signing.kid is unset (kids are
 * opaque, so it can only be read from the JWKS, never derived from the key).
 */
export async function registeredKidFor(
  http: HttpSession,
  config: ResolvedConfig,
  keyPair: KeyPair,
  timeoutMs: number,
): Promise<KidLookup> {
  let body: Buffer;
  let contentType: string | undefined;
  try {
    const response = await http.request({
      url: config.endpoints.jwks,
      headers: { accept: 'application/json' },
      maxBytes: config.http.jwksMaxBytes,
      timeoutMs,
      material: await tlsMaterialFor(config),
    });
    if (response.status !== 200 || response.truncated) {
      return { source: 'none', reason: `the JWKS answered ${response.status}${response.truncated ? ' with an oversized body' : ''}` };
    }
    body = response.body;
    contentType = response.headers['content-type'];
  } catch (error) {
    if (!(error instanceof HttpFailure)) throw error;
    return { source: 'none', reason: `the JWKS could not be fetched (${error.failure.code})` };
  }
  const parsed = parseJwks(body, contentType);
  if (!parsed.ok) return { source: 'none', reason: `the JWKS is not usable (${parsed.problem})` };
  const [best] = rankMatches(matchKeyToJwks(keyPair, parsed.keys), localKeyMaterial(keyPair), 'sig');
  const kid = best?.jwk.kid;
  return typeof kid === 'string' && kid !== ''
    ? { kid, source: 'jwks' }
    : { source: 'none', reason: best ? 'the JWKS registers this key without a kid' : 'the JWKS does not register this key' };
}
