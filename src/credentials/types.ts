import type { KeyObject, X509Certificate, JsonWebKey } from 'node:crypto';

export type KeyFormat =
  | 'pkcs1-pem'
  | 'pkcs8-pem'
  | 'sec1-pem'
  | 'encrypted-pkcs8-pem'
  | 'encrypted-pkcs1-pem'
  | 'encrypted-sec1-pem'
  | 'der'
  | 'pkcs12';

/** Facts about a private key that are safe to report. */
export interface KeyFacts {
  type: 'rsa' | 'rsa-pss' | 'ec' | 'ed25519' | 'ed448' | string;
  /** RSA modulus size. */
  bits?: number;
  /** EC curve, e.g. P-256. */
  curve?: string;
  format: KeyFormat;
  /** RFC 7638 JWK thumbprint (SHA-256, base64url) of the public key. */
  thumbprint: string;
  /** What was repaired in memory (CRLF, literal \n, lost line breaks), if anything. */
  repaired?: string[];
}

export interface LoadedKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicJwk: JsonWebKey;
  facts: KeyFacts;
  /** The certificate (and chain) a PKCS#12 bundle carried with the key. */
  bundledCertificates?: X509Certificate[];
}

/** Facts about a certificate that are safe to report. */
export interface CertificateFacts {
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  /** SHA-256 fingerprint, colon-separated hex as openssl prints it. */
  fingerprintSha256: string;
  /** The same digest base64url-encoded, as JWKS `x5t#S256`. */
  x5tS256: string;
  keyUsage?: string[];
  extKeyUsage?: string[];
  /** Certificates in the file: 1 for a lone leaf. */
  chainDepth: number;
  selfSigned: boolean;
}

export interface LoadedCertificate {
  /** The leaf: the certificate the rest of the file issues, wherever the file lists it. */
  certificate: X509Certificate;
  /** Further certificates from the same file (intermediates), in issuing order: the leaf's issuer first. */
  chain: X509Certificate[];
  facts: CertificateFacts;
  /**
   * The certificates as a PEM or DER file lists them, whose order TLS stacks
   * send as is. Absent for a PKCS#12 bundle: its readers find the leaf by its key.
   */
  listed?: { file: string; certificates: X509Certificate[] };
}

/** A private key proven to belong to its certificate. */
export interface KeyPair {
  key: LoadedKey;
  certificate: LoadedCertificate;
}
