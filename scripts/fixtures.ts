import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import forge from 'node-forge';
import { PKI, type CertificateEntry, type DerivedEntry, type KeyEntry, type PkiEntry } from '../fixtures/pki.js';
import { issueCertificate, type Issued } from '../src/sandbox/pki.js';
import { pkcs12InOrder } from '../test/support/pkcs12-bundle.js';

// Writes the keys and certificates of fixtures/pki.ts: `npm run fixtures`
// into fixtures/pki/, the catalogue test into a folder of its own. Nothing
// generated is committed; validity is computed from the clock at generation.

const DAY_MS = 86_400_000;
const MANIFEST = '.generated.json';
/** A generated folder older than this is regenerated: its "expires soon" certificate has moved on. */
const FRESH_MS = DAY_MS / 2;

interface Manifest {
  listSha256: string;
  generatedAt: number;
}

const listSha256 = createHash('sha256').update(JSON.stringify(PKI)).digest('hex');

function isFresh(dir: string, now: number): boolean {
  try {
    const manifest = JSON.parse(readFileSync(path.join(dir, MANIFEST), 'utf8')) as Manifest;
    const age = now - manifest.generatedAt;
    // A clock that moved back (faketime, a VM restore) makes the folder as untrustworthy as an old one.
    return manifest.listSha256 === listSha256 && age >= 0 && age < FRESH_MS;
  } catch {
    return false;
  }
}

/**
 * Generates every entry of fixtures/pki.ts into `dir` unless `dir` already
 * holds a fresh generation of the same list; returns `dir`. A stale or
 * foreign folder is replaced, never trusted; a folder golive did not
 * generate (no manifest) is refused rather than deleted.
 */
export async function generateFixturePki(dir: string): Promise<string> {
  const target = path.resolve(dir);
  const now = Date.now();
  if (isFresh(target, now)) return target;
  if (existsSync(target) && readdirSync(target).length > 0 && !existsSync(path.join(target, MANIFEST))) {
    throw new Error(`${target} holds files the fixtures script did not write; remove it or name another folder.`);
  }
  const staging = `${target}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    await writeEntries(staging, now);
    writeFileSync(path.join(staging, MANIFEST), JSON.stringify({ listSha256, generatedAt: now } satisfies Manifest, null, 2) + '\n');
    rmSync(target, { recursive: true, force: true });
    renameSync(staging, target);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return target;
}

async function writeEntries(dir: string, now: number): Promise<void> {
  const issued = new Map<string, Issued>();
  const find = (name: string): Issued => {
    const found = issued.get(name);
    if (!found) throw new Error(`fixtures/pki.ts: ${name} is used before it is listed as a certificate`);
    return found;
  };
  const write = (name: string, content: string | Buffer, mode = 0o600): void => {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
    chmodSync(file, mode);
  };
  for (const entry of PKI) {
    switch (entry.kind) {
      case 'certificate': {
        const certificate = await issue(entry, now, find);
        issued.set(entry.name, certificate);
        write(`${entry.name}.pem`, certificate.certPem, 0o644);
        write(`${entry.name}.key`, entry.passphrase ? encrypted(certificate.privateKey, entry.passphrase) : certificate.keyPem);
        break;
      }
      case 'key':
        write(entry.name, keyPem(entry.key));
        break;
      case 'pkcs12':
        write(entry.name, entry.keyOf ? pkcs12InOrder(find(entry.keyOf).privateKey, entry.certificates.map((name) => find(name).certPem), entry.password) : certificatesOnly(entry.certificates.map((name) => find(name).certPem), entry.password));
        break;
      case 'pem':
        write(entry.name, [...(entry.certificates ?? []).map((name) => find(name).certPem), ...(entry.keys ?? []).map((name) => find(name).keyPem)].join(''));
        break;
      case 'derived': {
        const source = readFileSync(path.join(dir, entry.from), 'utf8');
        write(entry.name, derive(source, entry.change), entry.change === 'world-readable' ? 0o644 : 0o600);
        break;
      }
      case 'text':
        write(entry.name, entry.content);
        break;
      case 'folder':
        mkdirSync(path.join(dir, entry.name), { recursive: true });
        break;
      default:
        unknownEntry(entry);
    }
  }
}

function unknownEntry(entry: never): never {
  throw new Error(`fixtures/pki.ts: unknown entry kind in ${JSON.stringify(entry as PkiEntry)}`);
}

function issue(entry: CertificateEntry, now: number, find: (name: string) => Issued): Promise<Issued> {
  const validity = entry.validity ?? { from: -1, to: 350 };
  return issueCertificate({
    subject: entry.subject,
    ...(entry.issuer && { issuer: find(entry.issuer) }),
    ...(entry.key && { key: entry.key }),
    ...(entry.keyOf && { keys: find(entry.keyOf).keys }),
    ...(entry.isCa && { isCa: true }),
    ...(entry.keyUsage && { keyUsage: entry.keyUsage }),
    ...(entry.extKeyUsage && { extKeyUsage: entry.extKeyUsage }),
    notBefore: new Date(now + validity.from * DAY_MS),
    notAfter: new Date(now + validity.to * DAY_MS),
  });
}

function encrypted(key: KeyObject, passphrase: string): string {
  return key.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase }) as string;
}

function keyPem(spec: KeyEntry['key']): string {
  switch (spec.type) {
    case 'rsa':
      return generateKeyPairSync('rsa', { modulusLength: spec.bits }).privateKey.export({ type: spec.encoding, format: 'pem' }) as string;
    case 'rsa-pss':
      return generateKeyPairSync('rsa-pss', { modulusLength: spec.bits }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    case 'ec':
      return generateKeyPairSync('ec', { namedCurve: spec.curve }).privateKey.export({ type: spec.encoding, format: 'pem' }) as string;
    case 'ed25519':
      return generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    case 'ed448':
      return generateKeyPairSync('ed448').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    case 'dsa':
      return generateKeyPairSync('dsa', { modulusLength: spec.bits, divisorLength: spec.divisorBits }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  }
}

/** A password-protected PKCS#12 bundle holding certificates and no key. */
function certificatesOnly(certificates: string[], password: string): Buffer {
  const asn1 = forge.pkcs12.toPkcs12Asn1(null, certificates.map((pem) => forge.pki.certificateFromPem(pem)), password, { algorithm: '3des' });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

function derive(pem: string, change: DerivedEntry['change']): string {
  const lines = pem.trimEnd().split('\n');
  switch (change) {
    case 'escape-newlines':
      // What a PEM pasted through a JSON string or a CI variable often becomes.
      return lines.join('\\n') + '\n';
    case 'truncate':
      return lines.slice(0, Math.ceil(lines.length / 2)).join('\n') + '\n';
    case 'corrupt-base64': {
      // Valid armour and base64 whose DER is cut short: an incomplete copy.
      const body = lines.slice(1, -1).join('');
      const der = Buffer.from(body, 'base64').subarray(0, 200).toString('base64');
      return `${lines[0]}\n${der.replace(/.{1,64}/g, '$&\n')}${lines[lines.length - 1]}\n`;
    }
    case 'strip-armour':
      return lines.slice(1, -1).join('\n') + '\n';
    case 'world-readable':
      return pem;
  }
}

const FIXTURES_PKI = fileURLToPath(new URL('../fixtures/pki', import.meta.url));

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const started = Date.now();
  const dir = await generateFixturePki(process.argv[2] ?? FIXTURES_PKI);
  const reused = JSON.parse(readFileSync(path.join(dir, MANIFEST), 'utf8')).generatedAt < started;
  console.log(`${reused ? 'Kept' : 'Generated'} ${PKI.length} fixture keys and certificates in ${path.relative(process.cwd(), dir) || dir} (${Date.now() - started} ms).`);
  console.log('Try one: golive check --offline --env-file fixtures/configs/fixtures.env fixtures/configs/good/uat-tls-private_key_jwt.yaml');
}
