import type { X509Certificate } from 'node:crypto';
import { PUBLIC_ROOTS } from '../generated/public-roots.js';

// Who issued a client certificate, as Thredd's rules judge it: Thredd's CA
// issues them (350 days); self-signed and third-party ones "may result in
// Thredd refusing connections".

/**
 * `thredd`: an issuer the profile or the config names; `self-signed`;
 * `public-ca`: a CA of Node's public root store (a root itself, a chain
 * the file holds up to one, or a CA of a root's organisation); `other`: a
 * private CA golive cannot place (Thredd's own, for all golive knows).
 */
export type IssuerKind = 'thredd' | 'self-signed' | 'public-ca' | 'other';

export interface IssuerJudgement {
  kind: IssuerKind;
  /** For `public-ca`: the root of Node's store it belongs to, by its common name (or organisation). */
  publicRoot?: string;
  /** For `public-ca`: how it was placed. */
  placedBy?: 'issuer-is-root' | 'chain-reaches-root' | 'organisation';
  /** For a `public-ca` placed by organisation: the issuer's organisation (O=). */
  organisation?: string;
}

/**
 * The first value of an attribute in a name as X509Certificate prints it:
 * one `KEY=value` per line, `,` `+` `"` `\` `<` `>` `;` escaped with `\`.
 */
function attribute(name: string, key: string): string | undefined {
  const line = name.split('\n').find((candidate) => candidate.startsWith(`${key}=`));
  return line?.slice(key.length + 1).replace(/\\(.)/g, '$1');
}

interface PublicRoots {
  /** Root subject, as X509Certificate prints it → the root's name. */
  bySubject: Map<string, string>;
  /** Organisation → the name of a root of it. */
  byOrganisation: Map<string, string>;
}

let publicRoots: PublicRoots | undefined;

/** Node's public root store as the build read it (src/generated/public-roots.ts), indexed once per process. */
function loadPublicRoots(): PublicRoots {
  if (publicRoots) return publicRoots;
  const roots: PublicRoots = { bySubject: new Map(), byOrganisation: new Map() };
  for (const [subject, name, organisation] of PUBLIC_ROOTS) {
    roots.bySubject.set(subject, name);
    if (organisation !== null && !roots.byOrganisation.has(organisation)) roots.byOrganisation.set(organisation, name);
  }
  publicRoots = roots;
  return roots;
}

/** True when `name` (a `thredd.issuers` entry) names this issuer: its common name, organisation or whole name as golive prints it. */
function namesIssuer(name: string, issuer: string, printedIssuer: string): boolean {
  const wanted = name.trim().toLowerCase();
  return [attribute(issuer, 'CN'), attribute(issuer, 'O'), printedIssuer].some((candidate) => candidate?.trim().toLowerCase() === wanted);
}

export interface IssuerInput {
  certificate: X509Certificate;
  /** The certificates the file holds after it, the leaf's issuer first. */
  chain: readonly X509Certificate[];
  /** The issuer as golive prints it (`CN=…, O=…`). */
  printedIssuer: string;
  selfSigned: boolean;
  /** Issuers known to be Thredd's (the profile's and the config's); empty for a custom profile. */
  knownIssuers: readonly string[];
  /** Whether a public CA counts against the certificate: the thredd profile's rule. */
  judgeThirdParty: boolean;
}

/** Places a certificate's issuer: self-signed, Thredd's, a public CA's or another. */
export async function judgeIssuer(input: IssuerInput): Promise<IssuerJudgement> {
  if (input.selfSigned) return { kind: 'self-signed' };
  const { issuer } = input.certificate;
  if (input.knownIssuers.some((name) => namesIssuer(name, issuer, input.printedIssuer))) return { kind: 'thredd' };
  if (!input.judgeThirdParty) return { kind: 'other' };
  const roots = loadPublicRoots();
  const direct = roots.bySubject.get(issuer);
  if (direct !== undefined) return { kind: 'public-ca', publicRoot: direct, placedBy: 'issuer-is-root' };
  for (const certificate of input.chain) {
    const root = roots.bySubject.get(certificate.issuer);
    if (root !== undefined) return { kind: 'public-ca', publicRoot: root, placedBy: 'chain-reaches-root' };
  }
  const organisation = attribute(issuer, 'O');
  const root = organisation === undefined ? undefined : roots.byOrganisation.get(organisation);
  if (root !== undefined) return { kind: 'public-ca', publicRoot: root, placedBy: 'organisation', organisation };
  return { kind: 'other' };
}

/** Days a certificate is valid for, from notBefore to notAfter, rounded down. */
export function lifetimeDays(notBefore: string, notAfter: string): number {
  return Math.floor((Date.parse(notAfter) - Date.parse(notBefore)) / 86_400_000);
}
