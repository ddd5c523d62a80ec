/**
 * The offline benches' config: a full private_key_jwt + mTLS Production
 * config (signing and transport credentials, RSA, from one issuing CA) that
 * passes `golive check --offline`.
 */
import { chmodSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createCa, issueCertificate } from '../src/sandbox/pki.js';

export const OFFLINE_ENV = { THREDD_ORG_ID: 'org-1', THREDD_CLIENT_ID: '6f1c7a52-3b8e-4f5e-9d3a-2b7c1e0f4a11' };

export const CREDENTIAL_FILES = ['signing.pem', 'signing.key', 'transport.pem', 'transport.key', 'ca.pem'] as const;

const CONFIG = `environment: production
connectivity: mtls
region: 1
organisationId: "\${THREDD_ORG_ID}"
client:
  id: "\${THREDD_CLIENT_ID}"
  authMethod: private_key_jwt
signing:
  certificate: signing.pem
  privateKey: signing.key
  algorithm: PS256
transport:
  certificate: transport.pem
  privateKey: transport.key
http:
  ca: ca.pem
`;

/** Writes a fresh CA, signing and transport credentials (CREDENTIAL_FILES) into dir. */
export async function writeCredentials(dir: string): Promise<void> {
  const ca = await createCa('CN=Bench Issuing CA, O=golive bench');
  const [signing, transport] = await Promise.all([
    issueCertificate({ subject: 'CN=signing', issuer: ca, key: { kind: 'rsa' }, keyUsage: ['digitalSignature'] }),
    issueCertificate({ subject: 'CN=transport', issuer: ca, key: { kind: 'rsa' }, keyUsage: ['digitalSignature', 'keyEncipherment'], extKeyUsage: ['clientAuth'] }),
  ]);
  const files: Record<(typeof CREDENTIAL_FILES)[number], string> = {
    'signing.pem': signing.certPem,
    'signing.key': signing.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string,
    'transport.pem': transport.certPem,
    'transport.key': transport.keyPem,
    'ca.pem': ca.certPem,
  };
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(path.join(dir, name), content);
    chmodSync(path.join(dir, name), 0o600);
  }
}

/** Writes the config beside credentials in dir (copied there from `from` first, when given); returns its path. */
export function writeOfflineConfig(dir: string, name: string, from?: string): string {
  mkdirSync(dir, { recursive: true });
  if (from) {
    for (const file of CREDENTIAL_FILES) {
      copyFileSync(path.join(from, file), path.join(dir, file));
      chmodSync(path.join(dir, file), 0o600);
    }
  }
  const config = path.join(dir, name);
  writeFileSync(config, CONFIG);
  return config;
}
