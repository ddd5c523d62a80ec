import { webcrypto, createPrivateKey, randomBytes, type KeyObject } from 'node:crypto';
import type * as X509 from '@peculiar/x509';
import { importX509 } from './stack.js';

// Certificate generation for the sandbox and for tests. node:crypto cannot
// issue certificates and node-forge cannot sign with EC keys, so this uses
// @peculiar/x509 over WebCrypto. It is never loaded on the check path, and
// comes through the sandbox stack's guard (an optional dependency of golive).
const x509 = await importX509();
x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export type KeySpec =
  | { kind: 'rsa'; bits?: number; scheme?: 'RSASSA-PKCS1-v1_5' | 'RSA-PSS' }
  | { kind: 'ec'; curve?: 'P-256' | 'P-384' | 'P-521' };

export type KeyUsageName =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign';

export type ExtKeyUsageName = 'serverAuth' | 'clientAuth' | 'codeSigning' | 'emailProtection';

export interface Issued {
  /** The certificate, PEM. */
  certPem: string;
  /** The private key, unencrypted PKCS#8 PEM. */
  keyPem: string;
  /** The private key as a node:crypto KeyObject. */
  privateKey: KeyObject;
  keys: CryptoKeyPair;
  cert: X509.X509Certificate;
  algorithm: Algorithm & { hash: string };
}

export interface IssueOptions {
  subject: string;
  /** Signs with this issuer; self-signed when absent. */
  issuer?: Issued;
  key?: KeySpec;
  /** Reuse an existing key pair (e.g. to re-issue an expired certificate for the same key). */
  keys?: CryptoKeyPair;
  notBefore?: Date;
  notAfter?: Date;
  isCa?: boolean;
  keyUsage?: KeyUsageName[];
  extKeyUsage?: ExtKeyUsageName[];
  dnsNames?: string[];
  ipAddresses?: string[];
}

const DAY_MS = 86_400_000;

const EKU_OIDS: Record<ExtKeyUsageName, string> = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  emailProtection: '1.3.6.1.5.5.7.3.4',
};

const KEY_USAGE_FLAGS: Record<KeyUsageName, X509.KeyUsageFlags> = {
  digitalSignature: x509.KeyUsageFlags.digitalSignature,
  nonRepudiation: x509.KeyUsageFlags.nonRepudiation,
  keyEncipherment: x509.KeyUsageFlags.keyEncipherment,
  dataEncipherment: x509.KeyUsageFlags.dataEncipherment,
  keyAgreement: x509.KeyUsageFlags.keyAgreement,
  keyCertSign: x509.KeyUsageFlags.keyCertSign,
  cRLSign: x509.KeyUsageFlags.cRLSign,
};

function algorithmFor(spec: KeySpec): (RsaHashedKeyGenParams | EcKeyGenParams) & { hash: string } {
  if (spec.kind === 'rsa') {
    return {
      name: spec.scheme ?? 'RSASSA-PKCS1-v1_5',
      modulusLength: spec.bits ?? 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: 'SHA-256',
    };
  }
  return { name: 'ECDSA', namedCurve: spec.curve ?? 'P-256', hash: 'SHA-256' };
}

export async function generateKeys(spec: KeySpec = { kind: 'rsa' }): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(algorithmFor(spec) as RsaHashedKeyGenParams, true, [
    'sign',
    'verify',
  ]) as Promise<CryptoKeyPair>;
}

function signingAlgorithmOf(keys: CryptoKeyPair): Algorithm & { hash: string } {
  const alg = keys.privateKey.algorithm as Algorithm & { namedCurve?: string };
  if (alg.name === 'ECDSA') return { name: 'ECDSA', hash: 'SHA-256' };
  if (alg.name === 'RSA-PSS') return { name: 'RSA-PSS', hash: 'SHA-256', saltLength: 32 } as Algorithm & { hash: string };
  return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
}

async function toPkcs8Pem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  const body = der.toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN PRIVATE KEY-----\n${body}-----END PRIVATE KEY-----\n`;
}

/** Issues a certificate (self-signed without `issuer`). */
export async function issueCertificate(options: IssueOptions): Promise<Issued> {
  const keys = options.keys ?? (await generateKeys(options.key));
  const notBefore = options.notBefore ?? new Date(Date.now() - DAY_MS);
  const notAfter = options.notAfter ?? new Date(Date.now() + 365 * DAY_MS);
  const extensions: X509.Extension[] = [];
  extensions.push(new x509.BasicConstraintsExtension(options.isCa === true, undefined, true));
  const usage = options.keyUsage ?? (options.isCa ? ['keyCertSign', 'cRLSign', 'digitalSignature'] : ['digitalSignature']);
  if (usage.length > 0) {
    const flags = usage.reduce((acc, name) => acc | KEY_USAGE_FLAGS[name], 0);
    extensions.push(new x509.KeyUsagesExtension(flags, true));
  }
  if (options.extKeyUsage && options.extKeyUsage.length > 0) {
    extensions.push(new x509.ExtendedKeyUsageExtension(options.extKeyUsage.map((name) => EKU_OIDS[name])));
  }
  const altNames: X509.JsonGeneralName[] = [
    ...(options.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(options.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  if (altNames.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(altNames));
  extensions.push(await x509.SubjectKeyIdentifierExtension.create(keys.publicKey));

  const issuerKeys = options.issuer?.keys ?? keys;
  const signingAlgorithm = signingAlgorithmOf(issuerKeys);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomBytes(8).toString('hex').replace(/^[89a-f]/, '1'),
    subject: options.subject,
    issuer: options.issuer ? options.issuer.cert.subject : options.subject,
    notBefore,
    notAfter,
    publicKey: keys.publicKey,
    signingKey: issuerKeys.privateKey,
    signingAlgorithm,
    extensions,
  });
  const keyPem = await toPkcs8Pem(keys.privateKey);
  return {
    certPem: cert.toString('pem') + '\n',
    keyPem,
    privateKey: createPrivateKey(keyPem),
    keys,
    cert,
    algorithm: signingAlgorithmOf(keys),
  };
}

/** A CA certificate that can issue others. */
export function createCa(subject: string, key: KeySpec = { kind: 'ec' }): Promise<Issued> {
  return issueCertificate({ subject, key, isCa: true, notAfter: new Date(Date.now() + 3650 * DAY_MS) });
}

/** An issuer from PEM (e.g. the sandbox CA kept on disk), to pass as `issuer` to issueCertificate. */
export async function loadIssuer(certPem: string, keyPem: string): Promise<Issued> {
  const privateKey = createPrivateKey(keyPem);
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  const details = privateKey.asymmetricKeyDetails;
  const algorithm =
    privateKey.asymmetricKeyType === 'ec'
      ? { name: 'ECDSA', namedCurve: details?.namedCurve === 'secp384r1' ? 'P-384' : details?.namedCurve === 'secp521r1' ? 'P-521' : 'P-256' }
      : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  const cryptoPrivate = await webcrypto.subtle.importKey('pkcs8', der, algorithm, true, ['sign']);
  const cert = new x509.X509Certificate(certPem);
  const publicKey = await cert.publicKey.export(algorithm, ['verify']);
  return {
    certPem,
    keyPem,
    privateKey,
    keys: { privateKey: cryptoPrivate, publicKey } as CryptoKeyPair,
    cert,
    algorithm: signingAlgorithmOf({ privateKey: cryptoPrivate, publicKey } as CryptoKeyPair),
  };
}
