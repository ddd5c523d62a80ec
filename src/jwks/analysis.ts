import type { KeyPair } from '../credentials/types.js';
import type { PublishedJwk, RegisteredKey } from '../online/types.js';
import { localKeyMaterial, matchKeyToJwks, type JwksMatch, type LocalKeyMaterial } from './match.js';
import { kidLabel, rankMatches, registeredCertificate, registeredKeyOf, type RegisteredCertificate } from './registration.js';
import type { OtherCertificate, otherCertificateFindings } from './wording.js';

/** Which local key pair is looked for: the signing key or the mTLS transport certificate. */
export type KeyRole = 'signing' | 'transport';

/**
 * The `use` preferred when several entries hold the key. Only a preference:
 * Thredd's documentation does not say which `use` a transport certificate is
 * published with, so the transport check reports the `use` it finds.
 */
const USE_OF_ROLE: Record<KeyRole, string> = { signing: 'sig', transport: 'tls' };

/** What the JWKS says about the entry chosen for the local key pair. */
export interface Registration {
  match: JwksMatch;
  /** Its kid, use, alg and how it matched: what the key checks hand on. */
  key: RegisteredKey;
  /** `kid "a1"` or `no kid`, for messages. */
  kidLabel: string;
  /** The entry's `key_ops`, when it declares them. */
  keyOps?: unknown[];
  /** The certificate the entry registers, when it is not the local one (same key, other certificate). */
  otherCertificate?: RegisteredCertificate;
  /** That other certificate had expired at the time of the run. */
  otherCertificateExpired: boolean;
  /** The other kids the same key is registered under. */
  otherKids: string[];
}

export type RegistrationAnalysis =
  | { found: 'none'; local: LocalKeyMaterial }
  /** The key is registered, but none of its entries has the kid asked for. */
  | { found: 'under-other-kids'; local: LocalKeyMaterial; kid: string; registeredKids: string[]; matchedBy: RegisteredKey['matchedBy'] }
  | { found: 'registered'; local: LocalKeyMaterial; registration: Registration };

export interface AnalysisOptions {
  /** The time of the run (`ctx.now()`), to tell whether a registered certificate has expired. */
  now: number;
  /** The kid the config names: the entry with it is chosen, whatever the ranking. */
  kid?: string;
}

/**
 * Where the JWKS registers a local key pair, and the facts both key checks
 * report from: the entry chosen (the configured kid's, else the best for the
 * role's `use`), its kid, `use`, `alg` and `key_ops`, the registered
 * certificate when it differs from the local one, and the other kids.
 */
export function analyseRegistration(keyPair: KeyPair, keys: readonly PublishedJwk[], role: KeyRole, options: AnalysisOptions): RegistrationAnalysis {
  const local = localKeyMaterial(keyPair);
  const matches = matchKeyToJwks(keyPair, keys);
  if (matches.length === 0) return { found: 'none', local };

  const registeredKids = [...new Set(matches.flatMap((match) => (typeof match.jwk.kid === 'string' ? [match.jwk.kid] : [])))];
  const { kid } = options;
  const named = kid === undefined ? undefined : matches.find((match) => match.jwk.kid === kid);
  if (kid !== undefined && named === undefined) return { found: 'under-other-kids', local, kid, registeredKids, matchedBy: matches[0]!.matchedBy };
  const chosen = named ?? rankMatches(matches, local, USE_OF_ROLE[role])[0]!;

  const key = registeredKeyOf(chosen);
  const theirs = chosen.registeredX5tS256;
  const otherCertificate = theirs !== undefined && theirs !== local.x5tS256 ? registeredCertificate(chosen.jwk, theirs) : undefined;
  const notAfter = otherCertificate?.notAfter;
  return {
    found: 'registered',
    local,
    registration: {
      match: chosen,
      key,
      kidLabel: kidLabel(chosen.jwk),
      ...(Array.isArray(chosen.jwk.key_ops) && { keyOps: chosen.jwk.key_ops as unknown[] }),
      ...(otherCertificate !== undefined && { otherCertificate }),
      otherCertificateExpired: notAfter !== undefined && Date.parse(notAfter) < options.now,
      otherKids: registeredKids.filter((other) => other !== key.kid),
    },
  };
}

/** The local key pair and the key set it was looked for in, as evidence. */
export function localEvidence(local: LocalKeyMaterial, jwks: { url: string; kids: readonly string[] }): Record<string, unknown> {
  return { thumbprint: local.thumbprint, x5tS256: local.x5tS256, fingerprintSha256: local.fingerprintSha256, jwksUrl: jwks.url, jwksKids: jwks.kids };
}

/** A registration's facts as evidence, the same for both roles. */
export function registrationEvidence(registration: Registration): Record<string, unknown> {
  const { key, keyOps, otherCertificate, otherCertificateExpired, otherKids } = registration;
  return {
    kid: key.kid,
    use: key.use,
    alg: key.alg,
    matchedBy: key.matchedBy,
    ...(keyOps !== undefined && { keyOps }),
    ...(otherKids.length > 0 && { alsoRegisteredAs: otherKids }),
    ...(otherCertificate !== undefined && { registeredCertificate: otherCertificate }),
    ...(otherCertificateExpired && { registeredCertificateExpired: true }),
  };
}

/** Which of otherCertificateFindings (wording.ts) the registration has, if any, with its arguments. */
export function otherCertificateFinding(
  role: KeyRole,
  registration: Registration,
  local: LocalKeyMaterial,
): { code: keyof ReturnType<typeof otherCertificateFindings>; args: OtherCertificate } | undefined {
  const certificate = registration.otherCertificate;
  if (certificate === undefined) return undefined;
  const expired = registration.otherCertificateExpired;
  return { code: expired ? 'registered-certificate-expired' : 'certificate-differs', args: { role, kid: registration.kidLabel, certificate, expired, local } };
}
