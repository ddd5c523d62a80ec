import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { PUBLIC_ROOT_SUBJECT, type FaultName } from '../../src/sandbox/faults.js';
import { CLIENT_CERTIFICATE_DAYS, clientCertificates, INTERMEDIATE_SUBJECT, loadOrCreateMaterial } from '../../src/sandbox/material.js';
import { tempDir } from '../support/config-files.js';

// Kept material (a sandbox folder's own, or the per-user cache) is only
// reused while its certificates are valid on the clock of this run: a cache
// made last year, or under a clock set a year ahead, would make the demo fail.

const DAY_MS = 86_400_000;
const dir = tempDir('golive-material-');

afterEach(() => {
  vi.useRealTimers();
});

function at(time: number): void {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(time);
}

describe('loadOrCreateMaterial', () => {
  it('reuses current material, and generates anew when the clock has left its certificates behind or ahead', async () => {
    const folder = path.join(dir, 'clock');
    const start = Date.now();
    const first = await loadOrCreateMaterial(folder, { useCache: false });
    expect(await loadOrCreateMaterial(folder, { useCache: false })).toEqual(first);

    at(start + 400 * DAY_MS);
    const yearAhead = await loadOrCreateMaterial(folder, { useCache: false });
    expect(yearAhead.organisationId).not.toBe(first.organisationId);
    expect(await loadOrCreateMaterial(folder, { useCache: false })).toEqual(yearAhead);

    at(start);
    const back = await loadOrCreateMaterial(folder, { useCache: false });
    expect(back.organisationId).not.toBe(yearAhead.organisationId);
  }, 60_000);

  it('generates anew over a damaged material file instead of failing', async () => {
    const folder = path.join(dir, 'damaged');
    mkdirSync(path.join(folder, '.sandbox'), { recursive: true });
    writeFileSync(path.join(folder, '.sandbox', 'material.json'), '{"version": 2, "ca": ');
    const material = await loadOrCreateMaterial(folder, { useCache: false });
    expect(material.ca.cert).toMatch(/^-----BEGIN CERTIFICATE-----/);
  }, 60_000);

  it('issues certificates for the same client keys under an intermediate CA, which the reversed-chain fault lists first', async () => {
    const material = await loadOrCreateMaterial(path.join(dir, 'chain'), { useCache: false });
    const root = new X509Certificate(material.ca.cert);
    const intermediate = new X509Certificate(material.intermediate.ca.cert);
    expect(intermediate.subject.split('\n').join(', ')).toBe(INTERMEDIATE_SUBJECT);
    expect(intermediate.ca && intermediate.verify(root.publicKey)).toBe(true);
    for (const role of ['signing', 'transport'] as const) {
      const leaf = new X509Certificate(material.intermediate[role]);
      expect(leaf.verify(intermediate.publicKey)).toBe(true);
      expect(leaf.publicKey.equals(new X509Certificate(material[role].cert).publicKey)).toBe(true);
    }
    const under = (...faults: FaultName[]) => clientCertificates(material, { has: (fault) => faults.includes(fault) });
    expect(under()).toEqual({
      leaves: { signing: material.signing.cert, transport: material.transport.cert },
      files: { signingCert: material.signing.cert, transportCert: material.transport.cert },
    });
    expect(under('reversed-chain')).toEqual({
      leaves: { signing: material.intermediate.signing, transport: material.intermediate.transport },
      files: {
        signingCert: material.intermediate.ca.cert + material.intermediate.signing,
        transportCert: material.intermediate.ca.cert + material.intermediate.transport,
      },
    });
    // Both faults: the expired certificate stands alone in certs/signing.pem and in the JWKS.
    expect(under('reversed-chain', 'expired-signing-certificate')).toMatchObject({
      leaves: { signing: material.signingExpired },
      files: { signingCert: material.signingExpired, transportCert: material.intermediate.ca.cert + material.intermediate.transport },
    });
  }, 60_000);

  it("issues every client certificate for Thredd's 350 days, and the issuer faults' certificates for the same keys", async () => {
    const material = await loadOrCreateMaterial(path.join(dir, 'lifetimes'));
    const { signing, transport, production, intermediate, selfSigned, publicCa } = material;
    const leaves = [signing, transport, material.signingEs256, material.decoy, production.signing, production.transport].map(({ cert }) => cert);
    for (const cert of [...leaves, intermediate.signing, intermediate.transport, selfSigned.signing, selfSigned.transport, publicCa.signing, publicCa.transport]) {
      const certificate = new X509Certificate(cert);
      expect(Date.parse(certificate.validTo) - Date.parse(certificate.validFrom), certificate.subject).toBe(CLIENT_CERTIFICATE_DAYS * DAY_MS);
    }
    for (const cert of [material.ca.cert, material.server.cert, intermediate.ca.cert, publicCa.ca]) {
      const certificate = new X509Certificate(cert);
      expect(Date.parse(certificate.validTo) - Date.parse(certificate.validFrom)).not.toBe(CLIENT_CERTIFICATE_DAYS * DAY_MS);
    }
    expect(Date.parse(new X509Certificate(material.signingExpired).validTo)).toBeLessThan(Date.now());

    const publicRoot = new X509Certificate(publicCa.ca);
    expect(publicRoot.subject.split('\n').join(', ')).toBe(PUBLIC_ROOT_SUBJECT);
    for (const role of ['signing', 'transport'] as const) {
      const key = new X509Certificate(material[role].cert).publicKey;
      const self = new X509Certificate(selfSigned[role]);
      expect(self.publicKey.equals(key) && self.verify(key)).toBe(true);
      const viaPublic = new X509Certificate(publicCa[role]);
      expect(viaPublic.publicKey.equals(key) && viaPublic.checkIssued(publicRoot) && viaPublic.verify(publicRoot.publicKey)).toBe(true);
    }

    const under = (...faults: FaultName[]) => clientCertificates(material, { has: (fault) => faults.includes(fault) });
    expect(under('self-signed-client-certificate')).toEqual({ leaves: selfSigned, files: { signingCert: selfSigned.signing, transportCert: selfSigned.transport } });
    expect(under('public-ca-client-certificate')).toEqual({
      leaves: { signing: publicCa.signing, transport: publicCa.transport },
      files: { signingCert: publicCa.signing, transportCert: publicCa.transport },
    });
    expect(under('public-ca-client-certificate', 'expired-signing-certificate')).toEqual({
      leaves: { signing: material.signingExpired, transport: publicCa.transport },
      files: { signingCert: material.signingExpired, transportCert: publicCa.transport },
    });
  }, 60_000);

  it('generates anew over material of an older version, which lacks the intermediate', async () => {
    const folder = path.join(dir, 'old-version');
    mkdirSync(path.join(folder, '.sandbox'), { recursive: true });
    writeFileSync(path.join(folder, '.sandbox', 'material.json'), JSON.stringify({ version: 2, organisationId: 'old' }));
    const material = await loadOrCreateMaterial(folder, { useCache: false });
    expect(material.organisationId).not.toBe('old');
    expect(material.intermediate.ca.cert).toMatch(/^-----BEGIN CERTIFICATE-----/);
  }, 60_000);
});
