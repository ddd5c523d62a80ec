import { escaped } from '../config/pasted.js';
import type { FindingTable } from '../pipeline/findings.js';
import type { KeyRole } from './analysis.js';
import type { LocalKeyMaterial } from './match.js';
import type { RegisteredCertificate } from './registration.js';

// How the JWKS checks word what they find: what their findings tables call.
// Apart from the parsing and matching, so a check's definition loads without
// them (an offline run never runs them).

const SNIPPET_CHARS = 200;

/** The first characters of a text body, on one line, for evidence (a JWKS body is public). */
export function bodySnippet(text: string, chars = SNIPPET_CHARS): string {
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > chars ? `${flat.slice(0, chars)}…` : flat;
}

/** Kids for a message: `kid "a1"`, `kids "a1", "b2"` or `no kids`. */
export function kidList(kids: readonly string[], limit = 10): string {
  if (kids.length === 0) return 'no kids';
  // Kids are the platform's strings: escaped, so a line break or control character cannot reshape the message.
  const shown = kids.slice(0, limit).map(escaped);
  const listed = kids.length > limit ? `${shown.join(', ')} and ${kids.length - limit} more` : shown.join(', ');
  return `${kids.length === 1 ? 'kid' : 'kids'} ${listed}`;
}

/** What the sentence about a key registered with another certificate names. */
export interface OtherCertificate {
  role: KeyRole;
  /** `kid "a1"` or `no kid`. */
  kid: string;
  certificate: RegisteredCertificate;
  expired: boolean;
  local: LocalKeyMaterial;
}

function describeOtherCertificate({ role, kid, certificate, expired, local }: OtherCertificate): string {
  const when = expired && certificate.notAfter !== undefined ? `, expired ${certificate.notAfter.slice(0, 10)}` : '';
  const key = role === 'signing' ? 'key' : 'transport key';
  return `The JWKS registers this ${key} (${kid}) with another certificate: registered SHA-256 ${certificate.fingerprintSha256}${when}, local ${role}.certificate SHA-256 ${local.fingerprintSha256}.`;
}

/**
 * The findings of an entry that registers the local key with another
 * certificate, for a key check's table: worded alike for both roles, the
 * expired certificate apart; `hint` says what to do for the role.
 */
export function otherCertificateFindings(hint: string) {
  const text = { message: describeOtherCertificate, hint: () => hint };
  return { 'certificate-differs': text, 'registered-certificate-expired': text } satisfies FindingTable;
}
