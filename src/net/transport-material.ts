import { loadCertificate, loadCertificateFromBundle } from '../credentials/certificates.js';
import { loadPrivateKey } from '../credentials/keys.js';
import type { ResolvedConfig } from '../config/types.js';
import { tlsMaterialFor } from './material.js';
import type { TlsMaterial } from './probe.js';

/**
 * The TLS material for a config's connections, loading the transport
 * credentials itself on mTLS: the network checks need only the config, so
 * a broken transport key is reported by transport.key and named here as the
 * reason the handshake could not present a certificate.
 */
export async function connectionMaterial(config: ResolvedConfig): Promise<{ material: TlsMaterial; problem?: string }> {
  if (config.connectivity !== 'mtls' || !config.transport) return { material: await tlsMaterialFor(config) };
  const { certificate, privateKey, passphrase } = config.transport;
  const key = await loadPrivateKey(privateKey, passphrase, { section: 'transport' });
  const cert = certificate
    ? await loadCertificate(certificate, { section: 'transport' })
    : await loadCertificateFromBundle(privateKey, passphrase, { section: 'transport' });
  if (!key.ok || !cert.ok) {
    return { material: await tlsMaterialFor(config), problem: 'the transport certificate or key does not load (see transport.key and transport.certificate)' };
  }
  return { material: await tlsMaterialFor(config, { key: key.value, certificate: cert.value }) };
}
