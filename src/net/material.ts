import type { ResolvedConfig } from '../config/types.js';
import type { KeyPair } from '../credentials/types.js';
import { CREDENTIAL_FILE_LIMIT, readInputFile } from '../files/input.js';
import type { TlsMaterial } from './probe.js';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The extra trust anchors of `http.ca`, as PEM blocks (none when unset or empty). */
export async function extraTrustAnchors(config: ResolvedConfig): Promise<string[]> {
  if (!config.http.ca) return [];
  const text = (await readInputFile(config.http.ca, { role: 'http.ca', limit: CREDENTIAL_FILE_LIMIT })).toString('utf8');
  return text.match(PEM_CERTIFICATE) ?? [];
}

/**
 * What a connection trusts and presents: the config's extra anchors, and on
 * mTLS the transport certificate with its key. The key stays in memory.
 */
export async function tlsMaterialFor(config: ResolvedConfig, transport?: KeyPair): Promise<TlsMaterial> {
  const extraCa = await extraTrustAnchors(config);
  if (config.connectivity !== 'mtls' || !transport) return { extraCa };
  const chain = [transport.certificate.certificate, ...transport.certificate.chain].map((cert) => cert.toString()).join('\n');
  const key = transport.key.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
  return { extraCa, clientCertificate: { cert: chain, key } };
}
