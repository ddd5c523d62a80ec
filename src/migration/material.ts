import path from 'node:path';
import type { ResolvedConfig } from '../config/types.js';
import { certificateFacts, loadCertificate, loadCertificateFromBundle } from '../credentials/certificates.js';
import { loadPrivateKey } from '../credentials/keys.js';
import { certificateKeyThumbprint } from '../credentials/match.js';
import type { CertificateFacts } from '../credentials/types.js';

export type CredentialRole = 'signing' | 'transport';

export const ROLES: readonly CredentialRole[] = ['signing', 'transport'];

/** A file as the user knows it: relative to the config's folder. */
export function shownFile(config: ResolvedConfig, file: string): string {
  return path.relative(config.parsed.dir, file) || path.basename(file);
}

/**
 * The public facts of one credential, for comparing UAT with Production:
 * never the key itself. A part that does not load says why instead.
 */
export interface CredentialFacts {
  role: CredentialRole;
  /** The field the certificate comes from: `<role>.certificate`, or `<role>.privateKey` for a PKCS#12 bundle. */
  certificateField: string;
  certificateFile: string;
  keyFile: string;
  certificate?: CertificateFacts;
  /** Further certificates in the same file (intermediates). */
  chain: CertificateFacts[];
  /** RFC 7638 thumbprint of the certificate's public key. */
  certificateKeyThumbprint?: string;
  certificateProblem?: string;
  /** RFC 7638 thumbprint of the private key's public half. */
  keyThumbprint?: string;
  keyProblem?: string;
}

/** Whether the config uses the role: signing for private_key_jwt, transport for mTLS. */
export function usesRole(config: ResolvedConfig, role: CredentialRole): boolean {
  return role === 'signing' ? config.client.authMethod === 'private_key_jwt' && !!config.signing : config.connectivity === 'mtls' && !!config.transport;
}

/** Loads the role's certificate and key of a config, or undefined when the config does not use the role. */
export async function credentialFacts(config: ResolvedConfig, role: CredentialRole): Promise<CredentialFacts | undefined> {
  const files = config[role];
  if (!files || !usesRole(config, role)) return undefined;
  const certificateFile = shownFile(config, files.certificate ?? files.privateKey);
  const keyFile = shownFile(config, files.privateKey);
  const [certificate, key] = await Promise.all([
    files.certificate
      ? loadCertificate(files.certificate, { displayName: certificateFile, section: role, ...(files.passphrase ? { passphrase: files.passphrase } : {}) })
      : loadCertificateFromBundle(files.privateKey, files.passphrase, { displayName: certificateFile, section: role }),
    loadPrivateKey(files.privateKey, files.passphrase, { displayName: keyFile, section: role }),
  ]);
  return {
    role,
    certificateField: files.certificate ? `${role}.certificate` : `${role}.privateKey`,
    certificateFile,
    keyFile,
    chain: certificate.ok ? certificate.value.chain.map((extra) => certificateFacts(extra)) : [],
    ...(certificate.ok
      ? { certificate: certificate.value.facts, certificateKeyThumbprint: certificateKeyThumbprint(certificate.value.certificate) }
      : { certificateProblem: certificate.finding.message }),
    ...(key.ok ? { keyThumbprint: key.value.facts.thumbprint } : { keyProblem: key.finding.message }),
  };
}

export interface TrustAnchors {
  file: string;
  certificates: CertificateFacts[];
  problem?: string;
}

/** The certificates of `http.ca`, or why they do not load; undefined when the config sets none. */
export async function trustAnchorFacts(config: ResolvedConfig): Promise<TrustAnchors | undefined> {
  if (!config.http.ca) return undefined;
  const file = shownFile(config, config.http.ca);
  const loaded = await loadCertificate(config.http.ca, { displayName: file, section: 'http' });
  if (!loaded.ok) return { file, certificates: [], problem: loaded.finding.message };
  return { file, certificates: [loaded.value.facts, ...loaded.value.chain.map((extra) => certificateFacts(extra))] };
}
