import { createHash, createPublicKey, generateKeyPairSync, randomBytes, randomUUID, X509Certificate, type JsonWebKey } from 'node:crypto';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeFolder, writeError } from '../files/output.js';
import type { SandboxFolder } from './folder.js';
import { PUBLIC_ROOT_SUBJECT } from './faults.js';
import type { FaultState } from './http.js';
import type { Issued } from './pki.js';

/**
 * Everything the sandbox generates once and reuses: CA, server certificates,
 * the demo organisation's credentials, client ids and secret. Generating RSA
 * keys is the slow part of start-up, so a folder that already holds material
 * is reused as is.
 */
export const CA_SUBJECT = 'CN=Thredd Sandbox Issuing CA, O=golive sandbox';
export const INTERMEDIATE_SUBJECT = 'CN=Thredd Sandbox Intermediate CA, O=golive sandbox';
/** Thredd's documentation: the client certificates it issues are valid for 350 days. The sandbox issues its own the same. */
export const CLIENT_CERTIFICATE_DAYS = 350;
const MATERIAL_VERSION = 4;
const DAY_MS = 86_400_000;
const SIGNING_SUBJECT = 'CN=golive sandbox signing, O=Sandbox Demo Organisation';
const TRANSPORT_SUBJECT = 'CN=golive sandbox transport, O=Sandbox Demo Organisation';

export type ClientKey =
  | 'client_secret_post-tls'
  | 'client_secret_basic-tls'
  | 'private_key_jwt-tls'
  | 'client_secret_post-mtls'
  | 'client_secret_basic-mtls'
  | 'private_key_jwt-mtls';

export const CLIENT_KEYS: readonly ClientKey[] = [
  'client_secret_post-tls',
  'client_secret_basic-tls',
  'private_key_jwt-tls',
  'client_secret_post-mtls',
  'client_secret_basic-mtls',
  'private_key_jwt-mtls',
];

export interface CertAndKey {
  cert: string;
  key: string;
}

export interface Material {
  version: number;
  organisationId: string;
  clientSecret: string;
  clients: Record<ClientKey, string>;
  /** Opaque kids under which the JWKS registers each key; `*Renamed` serve the kid-mismatch fault. */
  kids: {
    signing: string;
    signingEs256: string;
    transport: string;
    decoy: string;
    signingRenamed: string;
    signingEs256Renamed: string;
  };
  ca: CertAndKey;
  server: CertAndKey;
  serverHostnameMismatch: CertAndKey;
  serverUntrusted: CertAndKey;
  signing: CertAndKey;
  signingExpired: string;
  signingEs256: CertAndKey;
  transport: CertAndKey;
  decoy: CertAndKey;
  /**
   * A Production-like client for trying `golive diff`: its own id and credentials,
   * issued by the sandbox CA (which `golive diff` rightly flags in a Production config).
   */
  production: { clientId: string; signing: CertAndKey; transport: CertAndKey };
  /**
   * The reversed-chain fault: an intermediate CA under the sandbox CA, and
   * certificates it issued for the signing and transport keys (certificates only: the keys stay the same).
   */
  intermediate: { ca: CertAndKey; signing: string; transport: string };
  /** The self-signed-client-certificate fault: self-signed certificates for the signing and transport keys. */
  selfSigned: ClientLeaves;
  /**
   * The public-ca-client-certificate fault: a CA the sandbox made under a public
   * root's name (PUBLIC_ROOT_SUBJECT), and certificates it issued for the signing and transport keys.
   */
  publicCa: ClientLeaves & { ca: string };
  /** The authorization server's access-token signing key (private JWK). */
  providerKey: JsonWebKey & { kid: string };
}

/** A signing and a transport certificate for the demo organisation's keys (PEM). */
export type ClientLeaves = Record<'signing' | 'transport', string>;

/** Paths of the user-facing files written into the sandbox folder. */
export interface MaterialFiles {
  caFile: string;
  signingCert: string;
  signingKey: string;
  signingEs256Cert: string;
  signingEs256Key: string;
  transportCert: string;
  transportKey: string;
  productionSigningCert: string;
  productionSigningKey: string;
  productionTransportCert: string;
  productionTransportKey: string;
}

function pair(issued: Issued): CertAndKey {
  return { cert: issued.certPem, key: issued.keyPem };
}

function opaqueKid(): string {
  return randomBytes(16).toString('base64url');
}

/** From a day back (clocks differ) for Thredd's 350 days: the validity of every client certificate the sandbox issues. */
function clientValidity(now: number): { notBefore: Date; notAfter: Date } {
  const notBefore = now - DAY_MS;
  return { notBefore: new Date(notBefore), notAfter: new Date(notBefore + CLIENT_CERTIFICATE_DAYS * DAY_MS) };
}

async function generateMaterial(): Promise<Material> {
  // @peculiar/x509 takes a fifth of the start-up budget to load: only load it to generate.
  const { createCa, issueCertificate } = await import('./pki.js');
  const [ca, rogueCa, publicCa] = await Promise.all([
    createCa(CA_SUBJECT),
    createCa('CN=Unknown Issuing CA, O=Somewhere Else'),
    createCa(PUBLIC_ROOT_SUBJECT),
  ]);
  const now = Date.now();
  const serverTemplate = {
    key: { kind: 'ec' as const },
    keyUsage: ['digitalSignature' as const],
    extKeyUsage: ['serverAuth' as const],
  };
  const client = clientValidity(now);
  const signingTemplate = { ...client, keyUsage: ['digitalSignature' as const] };
  const transportTemplate = {
    ...client,
    keyUsage: ['digitalSignature' as const, 'keyEncipherment' as const],
    extKeyUsage: ['clientAuth' as const],
  };
  const rsa = { kind: 'rsa' as const, bits: 2048 };
  const [server, serverHostnameMismatch, serverUntrusted, signing, signingEs256, transport, decoy, productionSigning, productionTransport] = await Promise.all([
    issueCertificate({
      ...serverTemplate,
      subject: 'CN=127.0.0.1, O=golive sandbox',
      issuer: ca,
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1'],
    }),
    issueCertificate({ ...serverTemplate, subject: 'CN=sandbox.invalid, O=golive sandbox', issuer: ca, dnsNames: ['sandbox.invalid'] }),
    issueCertificate({
      ...serverTemplate,
      subject: 'CN=127.0.0.1, O=Somewhere Else',
      issuer: rogueCa,
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1'],
    }),
    issueCertificate({ ...signingTemplate, subject: SIGNING_SUBJECT, issuer: ca, key: rsa }),
    issueCertificate({
      ...signingTemplate,
      subject: 'CN=golive sandbox signing ES256, O=Sandbox Demo Organisation',
      issuer: ca,
      key: { kind: 'ec', curve: 'P-256' },
    }),
    issueCertificate({ ...transportTemplate, subject: TRANSPORT_SUBJECT, issuer: ca, key: rsa }),
    issueCertificate({ ...signingTemplate, subject: 'CN=another signing key, O=Sandbox Demo Organisation', issuer: ca, key: rsa }),
    issueCertificate({ ...signingTemplate, subject: 'CN=golive sandbox production signing, O=Sandbox Demo Organisation', issuer: ca, key: rsa }),
    issueCertificate({ ...transportTemplate, subject: 'CN=golive sandbox production transport, O=Sandbox Demo Organisation', issuer: ca, key: rsa }),
  ]);
  const intermediate = await issueCertificate({ subject: INTERMEDIATE_SUBJECT, issuer: ca, isCa: true, key: { kind: 'ec' }, notAfter: new Date(now + 1825 * DAY_MS) });
  /** Certificates for the same signing and transport keys from another issuer (self-signed without one). */
  const reissue = async (issuer: Issued | undefined): Promise<ClientLeaves> => {
    const from = issuer ? { issuer } : {};
    const [signingCert, transportCert] = await Promise.all([
      issueCertificate({ ...signingTemplate, ...from, subject: SIGNING_SUBJECT, keys: signing.keys }),
      issueCertificate({ ...transportTemplate, ...from, subject: TRANSPORT_SUBJECT, keys: transport.keys }),
    ]);
    return { signing: signingCert.certPem, transport: transportCert.certPem };
  };
  const [signingExpired, viaIntermediate, selfSigned, viaPublicCa] = await Promise.all([
    issueCertificate({
      subject: SIGNING_SUBJECT,
      issuer: ca,
      keys: signing.keys,
      keyUsage: ['digitalSignature'],
      notBefore: new Date(now - 400 * DAY_MS),
      notAfter: new Date(now - 35 * DAY_MS),
    }),
    reissue(intermediate),
    reissue(undefined),
    reissue(publicCa),
  ]);
  const providerJwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  const clients = Object.fromEntries(CLIENT_KEYS.map((key) => [key, randomUUID()])) as Record<ClientKey, string>;
  return {
    version: MATERIAL_VERSION,
    organisationId: randomUUID(),
    clientSecret: randomBytes(32).toString('base64url'),
    clients,
    kids: {
      signing: opaqueKid(),
      signingEs256: opaqueKid(),
      transport: opaqueKid(),
      decoy: opaqueKid(),
      signingRenamed: opaqueKid(),
      signingEs256Renamed: opaqueKid(),
    },
    ca: pair(ca),
    server: pair(server),
    serverHostnameMismatch: pair(serverHostnameMismatch),
    serverUntrusted: pair(serverUntrusted),
    signing: pair(signing),
    signingExpired: signingExpired.certPem,
    signingEs256: pair(signingEs256),
    transport: pair(transport),
    decoy: pair(decoy),
    production: { clientId: randomUUID(), signing: pair(productionSigning), transport: pair(productionTransport) },
    intermediate: { ca: pair(intermediate), ...viaIntermediate },
    selfSigned,
    publicCa: { ca: publicCa.certPem, ...viaPublicCa },
    providerKey: { ...providerJwk, kid: opaqueKid() },
  };
}

function isMaterial(value: unknown): value is Material {
  return typeof value === 'object' && value !== null && (value as { version?: unknown }).version === MATERIAL_VERSION;
}

async function readMaterial(file: string): Promise<Material | undefined> {
  const value = await readFile(file, 'utf8').then(
    // A damaged file is material to generate anew, not a reason to fail.
    (text) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return undefined;
      }
    },
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    },
  );
  return isMaterial(value) ? value : undefined;
}

async function keepMaterial(dir: string, material: Material): Promise<void> {
  await makeFolder(dir, { mode: 0o700 });
  await writeSecretFile(join(dir, 'material.json'), JSON.stringify(material, null, 2));
}

/**
 * A per-user cache of generated material, so a sandbox in a fresh folder (the
 * default) starts without generating RSA keys. Ignored unless it is ours.
 */
function materialCacheDir(): string {
  return join(tmpdir(), `golive-sandbox-material-${process.getuid?.() ?? 'user'}-v${MATERIAL_VERSION}`);
}

async function isOwnPrivateDir(dir: string): Promise<boolean> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) return false;
  const uid = process.getuid?.();
  return (uid === undefined || info.uid === uid) && (info.mode & 0o077) === 0;
}

/** Days of validity kept material must still have: a sandbox must not expire in the middle of someone's week. */
const MATERIAL_MARGIN_DAYS = 30;

/**
 * Material generated under another clock (last year's cache, or one made
 * under a clock set ahead) holds certificates not valid now: generate anew.
 */
function isCurrent(material: Material, now: number): boolean {
  try {
    const { intermediate } = material;
    const certificates = [material.ca, material.server, material.signing, material.transport, material.production.signing, intermediate.ca];
    return [...certificates.map(({ cert }) => cert), intermediate.signing, intermediate.transport].every((cert) => {
      const certificate = new X509Certificate(cert);
      return Date.parse(certificate.validFrom) <= now && Date.parse(certificate.validTo) > now + MATERIAL_MARGIN_DAYS * DAY_MS;
    });
  } catch {
    return false;
  }
}

/**
 * Reads the material kept in `dir`; else copies the per-user cached material
 * there (`useCache`); else generates it and keeps it in both places.
 */
export async function loadOrCreateMaterial(dir: string, options: { useCache?: boolean } = {}): Promise<Material> {
  const own = join(dir, '.sandbox');
  const now = Date.now();
  const existing = await readMaterial(join(own, 'material.json'));
  if (existing && isCurrent(existing, now)) return existing;
  const cache = materialCacheDir();
  const useCache = options.useCache ?? true;
  const kept = useCache && (await isOwnPrivateDir(cache)) ? await readMaterial(join(cache, 'material.json')) : undefined;
  const cached = kept && isCurrent(kept, now) ? kept : undefined;
  const material = cached ?? (await generateMaterial());
  await keepMaterial(own, material).catch((error: unknown) => {
    throw writeError(error, `${join(own, 'material.json')} cannot be written`);
  });
  // Best effort: a cache that cannot be written only costs the next fresh folder its speed.
  if (useCache && !cached) await keepMaterial(cache, material).catch(() => undefined);
  return material;
}

export async function writeSecretFile(file: string, content: string): Promise<void> {
  await writeFile(file, content, { mode: 0o600 });
  // writeFile keeps the mode of an existing file; a reused folder may hold one made looser by hand.
  await chmod(file, 0o600);
}

/** The certificates and keys users point their configs at, relative to the sandbox folder. */
export const MATERIAL_FILE_NAMES = {
  caFile: 'ca.pem',
  signingCert: 'certs/signing.pem',
  signingKey: 'certs/signing.key',
  signingEs256Cert: 'certs/signing-es256.pem',
  signingEs256Key: 'certs/signing-es256.key',
  transportCert: 'certs/transport.pem',
  transportKey: 'certs/transport.key',
  productionSigningCert: 'certs/production-signing.pem',
  productionSigningKey: 'certs/production-signing.key',
  productionTransportCert: 'certs/production-transport.pem',
  productionTransportKey: 'certs/production-transport.key',
} as const satisfies Record<keyof MaterialFiles, string>;

/**
 * The client certificates under the active faults: the leaves the platform
 * registers (the JWKS publishes them) and what certs/signing.pem and
 * certs/transport.pem hold. At most one fault decides who issued them
 * (parseFaults refuses more); expired-signing-certificate replaces the
 * signing one whoever did.
 */
export function clientCertificates(material: Material, faults: FaultState): { leaves: ClientLeaves; files: Record<'signingCert' | 'transportCert', string> } {
  let issued: ClientLeaves = { signing: material.signing.cert, transport: material.transport.cert };
  let chainFirst = '';
  if (faults.has('self-signed-client-certificate')) issued = material.selfSigned;
  else if (faults.has('public-ca-client-certificate')) issued = material.publicCa;
  else if (faults.has('reversed-chain')) {
    issued = material.intermediate;
    // The files hold the chain the wrong way round: intermediate first, leaf last.
    chainFirst = material.intermediate.ca.cert;
  }
  const expired = faults.has('expired-signing-certificate');
  const leaves = { signing: expired ? material.signingExpired : issued.signing, transport: issued.transport };
  return {
    leaves,
    files: {
      signingCert: expired ? leaves.signing : chainFirst + leaves.signing,
      transportCert: chainFirst + leaves.transport,
    },
  };
}

/** What certs/signing.pem or certs/transport.pem may hold under some fault. */
function certificateVariants(material: Material, role: keyof ClientLeaves): string[] {
  const { intermediate, selfSigned, publicCa } = material;
  return [
    intermediate.ca.cert + intermediate[role],
    selfSigned[role],
    publicCa[role],
    ...(role === 'signing' ? [material.signingExpired] : []),
  ];
}

/** Writes the certificates and keys users point their configs at. */
export async function writeMaterialFiles(folder: SandboxFolder, material: Material): Promise<MaterialFiles> {
  const contents: Record<keyof MaterialFiles, { content: string; secret?: boolean; variants?: string[] }> = {
    caFile: { content: material.ca.cert },
    // The client-certificate faults swap these files while the sandbox runs.
    signingCert: { content: material.signing.cert, variants: certificateVariants(material, 'signing') },
    signingKey: { content: material.signing.key, secret: true },
    signingEs256Cert: { content: material.signingEs256.cert },
    signingEs256Key: { content: material.signingEs256.key, secret: true },
    transportCert: { content: material.transport.cert, variants: certificateVariants(material, 'transport') },
    transportKey: { content: material.transport.key, secret: true },
    productionSigningCert: { content: material.production.signing.cert },
    productionSigningKey: { content: material.production.signing.key, secret: true },
    productionTransportCert: { content: material.production.transport.cert },
    productionTransportKey: { content: material.production.transport.key, secret: true },
  };
  const entries = await Promise.all(
    (Object.keys(MATERIAL_FILE_NAMES) as (keyof MaterialFiles)[]).map(async (key) => {
      const { content, ...options } = contents[key];
      return [key, await folder.write(MATERIAL_FILE_NAMES[key], content, options)] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<keyof MaterialFiles, string>;
}

function derOf(certPem: string): Buffer {
  return new X509Certificate(certPem).raw;
}

/** RFC 7515 `x5t#S256`: base64url SHA-256 of the certificate DER. */
export function certificateThumbprint(cert: string | Buffer): string {
  const der = typeof cert === 'string' ? derOf(cert) : cert;
  return createHash('sha256').update(der).digest('base64url');
}

export interface PublishedJwk {
  kty: string;
  kid: string;
  use: 'sig' | 'tls';
  x5c: string[];
  'x5t#S256': string;
  [member: string]: unknown;
}

/** A JWK shaped like Thredd's: opaque kid, use, leaf x5c, x5t#S256, key members, no alg. */
export function publishedJwk(certPem: string, kid: string, use: 'sig' | 'tls'): PublishedJwk {
  const der = derOf(certPem);
  const { kty, ...members } = createPublicKey(certPem).export({ format: 'jwk' });
  return { kty: kty ?? 'RSA', kid, use, x5c: [der.toString('base64')], 'x5t#S256': certificateThumbprint(der), ...members };
}
