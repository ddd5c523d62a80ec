/**
 * Matching one local key against a 1,000-key JWKS (issue 4: under 5 ms).
 * The registered key is the last entry, so every decoy is compared.
 *
 *   npx tsx bench/jwks-match.ts        (KEYS=1000 ROUNDS=200 by default)
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadCertificate } from '../src/credentials/certificates.js';
import { loadPrivateKey } from '../src/credentials/keys.js';
import type { KeyPair } from '../src/credentials/types.js';
import { matchKeyToJwks } from '../src/jwks/match.js';
import type { PublishedJwk } from '../src/online/types.js';
import { issueCertificate } from '../src/sandbox/pki.js';

export interface JwksMatchTiming {
  keyCount: number;
  rounds: number;
  /** The first match on a fresh key pair: includes computing its facts. */
  firstMs: number;
  medianMs: number;
  p95Ms: number;
  maxMs: number;
}

async function loadKeyPair(): Promise<KeyPair> {
  const issued = await issueCertificate({ subject: 'CN=bench signing', key: { kind: 'rsa' }, keyUsage: ['digitalSignature'] });
  const dir = mkdtempSync(path.join(tmpdir(), 'golive-bench-'));
  try {
    writeFileSync(path.join(dir, 'signing.pem'), issued.certPem);
    writeFileSync(path.join(dir, 'signing.key'), issued.keyPem, { mode: 0o600 });
    const [key, certificate] = await Promise.all([loadPrivateKey(path.join(dir, 'signing.key')), loadCertificate(path.join(dir, 'signing.pem'))]);
    if (!key.ok || !certificate.ok) throw new Error('bench key pair did not load');
    return { key: key.value, certificate: certificate.value };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A Thredd-shaped entry for an unrelated 2048-bit RSA key (random modulus: matching never checks primality). */
function decoy(index: number): PublishedJwk {
  const modulus = randomBytes(256);
  modulus[0]! |= 0x80;
  return {
    kty: 'RSA',
    kid: randomBytes(16).toString('base64url'),
    use: index % 10 === 0 ? 'tls' : 'sig',
    x5c: [randomBytes(800).toString('base64')],
    'x5t#S256': randomBytes(32).toString('base64url'),
    n: modulus.toString('base64url'),
    e: 'AQAB',
  };
}

export async function measureJwksMatch(keyCount = 1000, rounds = 200): Promise<JwksMatchTiming> {
  const keyPair = await loadKeyPair();
  const { kty, ...members } = keyPair.key.publicJwk;
  const registered = { kty, kid: 'registered', use: 'sig', 'x5t#S256': keyPair.certificate.facts.x5tS256, ...members } as PublishedJwk;
  const keys = [...Array.from({ length: keyCount - 1 }, (_, index) => decoy(index)), registered];

  let started = performance.now();
  const first = matchKeyToJwks(keyPair, keys);
  const firstMs = performance.now() - started;
  if (first.length !== 1 || first[0]!.index !== keyCount - 1) throw new Error('bench: the registered key was not found');

  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    started = performance.now();
    matchKeyToJwks(keyPair, keys);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { keyCount, rounds, firstMs, medianMs: times[Math.floor(times.length / 2)]!, p95Ms: times[Math.floor(times.length * 0.95)]!, maxMs: times[times.length - 1]! };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const timing = await measureJwksMatch(Number(process.env.KEYS ?? 1000), Number(process.env.ROUNDS ?? 200));
  const ms = (value: number) => `${value.toFixed(3)} ms`;
  process.stdout.write(
    `jwks match: one key against ${timing.keyCount} keys: first ${ms(timing.firstMs)} (with key facts), median ${ms(timing.medianMs)}, p95 ${ms(timing.p95Ms)}, max ${ms(timing.maxMs)} over ${timing.rounds} rounds (goal: under 5 ms)\n`,
  );
}
