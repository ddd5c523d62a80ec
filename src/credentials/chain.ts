import type { X509Certificate } from 'node:crypto';

// A certificate file or bundle may hold its chain in any order: exporters
// and hand-made concatenations put the intermediate first as often as last.
// golive finds the leaf and orders the rest as TLS sends a chain: each
// certificate followed by the one that issued it (RFC 8446 4.4.2).

/** The leaf of a set of certificates and the rest in issuing order. */
export interface OrderedCertificates {
  leaf: X509Certificate;
  /** The leaf's issuer, then that one's issuer, and so on; certificates off that path follow in their given order. */
  chain: X509Certificate[];
}

/**
 * Signature checks one ordering may make. Names are compared first, so only
 * certificates whose names chain cost a verification; a hostile file of a
 * thousand certificates under one name would otherwise cost a million.
 * Past the budget, the names alone decide.
 */
const MAX_VERIFICATIONS = 256;

/** `issuer` issued `certificate`: the names chain and, while the budget lasts, the signature verifies. */
type IssuerTest = (issuer: X509Certificate, certificate: X509Certificate) => boolean;

function issuerTest(): IssuerTest {
  let left = MAX_VERIFICATIONS;
  return (issuer, certificate) => {
    if (issuer === certificate || issuer.subject !== certificate.issuer) return false;
    if (left <= 0) return true;
    left -= 1;
    try {
      return certificate.verify(issuer.publicKey);
    } catch {
      // A key or signature algorithm OpenSSL cannot check: the names are all there is to go by.
      return true;
    }
  };
}

/**
 * The leaf: the certificate `belongsToKey` picks when given and one does;
 * else the only end-entity one (not a CA, and the issuer of none of the
 * others), or the first of several. Undefined when every certificate is a
 * CA's, as in a trust-anchor bundle.
 */
function findLeaf(
  certificates: readonly X509Certificate[],
  isIssuerOf: IssuerTest,
  belongsToKey?: (certificate: X509Certificate) => boolean,
): X509Certificate | undefined {
  const byKey = belongsToKey ? certificates.find(belongsToKey) : undefined;
  if (byKey) return byKey;
  return certificates.find((candidate) => !candidate.ca && !certificates.some((other) => isIssuerOf(candidate, other)));
}

/**
 * Orders certificates leaf first, then up the issuing path, each once: a copy
 * pasted twice is sent once. Without a leaf (only CA certificates) the given
 * order is kept.
 */
export function orderCertificates(
  listed: readonly [X509Certificate, ...X509Certificate[]],
  belongsToKey?: (certificate: X509Certificate) => boolean,
): OrderedCertificates {
  const seen = new Set<string>();
  const certificates = listed.filter((certificate) => !seen.has(certificate.fingerprint256) && seen.add(certificate.fingerprint256));
  const isIssuerOf = issuerTest();
  const leaf = findLeaf(certificates, isIssuerOf, belongsToKey);
  if (!leaf) {
    const [first, ...rest] = certificates as [X509Certificate, ...X509Certificate[]];
    return { leaf: first, chain: rest };
  }
  const remaining = certificates.filter((certificate) => certificate !== leaf);
  const chain: X509Certificate[] = [];
  let current = leaf;
  for (;;) {
    const issuer = remaining.find((candidate) => isIssuerOf(candidate, current));
    if (!issuer) break;
    chain.push(issuer);
    remaining.splice(remaining.indexOf(issuer), 1);
    current = issuer;
  }
  return { leaf, chain: [...chain, ...remaining] };
}

/** True when `listed` is already leaf first and in issuing order. */
export function isInOrder(listed: readonly X509Certificate[], ordered: OrderedCertificates): boolean {
  const sent = [ordered.leaf, ...ordered.chain];
  return listed.length === sent.length && listed.every((certificate, index) => certificate === sent[index]);
}
