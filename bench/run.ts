/**
 * Start-up benchmark: `golive check --offline` on a full private_key_jwt +
 * mTLS config, against `node -e 0` (the floor any Node CLI pays) and against
 * what a person would otherwise run by hand: openssl commands to check each
 * certificate's validity and that each key matches its certificate.
 * Runs are alternated so machine noise hits every command alike; medians.
 *
 *   npm run bench            (RUNS=40 by default)
 *   BASELINE_CLI=/path/to/other/dist/cli.js npm run bench
 *                            adds another build (e.g. main before a change) side by side
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createCa, issueCertificate } from '../src/sandbox/pki.js';

const RUNS = Number(process.env.RUNS ?? 40);
const root = path.resolve(import.meta.dirname, '..');
const cli = path.join(root, 'dist', 'cli.js');
const baseline = process.env.BASELINE_CLI;

async function writeFixture(dir: string): Promise<string> {
  const ca = await createCa('CN=Bench Issuing CA, O=golive bench');
  const signing = await issueCertificate({ subject: 'CN=signing', issuer: ca, key: { kind: 'rsa' }, keyUsage: ['digitalSignature'] });
  const transport = await issueCertificate({
    subject: 'CN=transport',
    issuer: ca,
    key: { kind: 'rsa' },
    keyUsage: ['digitalSignature', 'keyEncipherment'],
    extKeyUsage: ['clientAuth'],
  });
  const files: Record<string, string> = {
    'signing.pem': signing.certPem,
    'signing.key': signing.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string,
    'transport.pem': transport.certPem,
    'transport.key': transport.keyPem,
    'ca.pem': ca.certPem,
  };
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(path.join(dir, name), content);
    chmodSync(path.join(dir, name), 0o600);
  }
  const config = path.join(dir, 'prod.yaml');
  writeFileSync(
    config,
    `environment: production
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
`,
  );
  return config;
}

function time(command: string, args: string[], env: NodeJS.ProcessEnv): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0 && result.status !== 1) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr.toString()}`);
  }
  return elapsed;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const dir = mkdtempSync(path.join(tmpdir(), 'golive-bench-'));
try {
  const config = await writeFixture(dir);
  // NODE_EXTRA_CA_CERTS (set on this machine) makes Node 20 parse a CA bundle at every start,
  // ~70 ms that would hide golive's own cost; every subject runs without it.
  const { NODE_EXTRA_CA_CERTS, ...base } = process.env;
  void NODE_EXTRA_CA_CERTS;
  const env = { ...base, THREDD_ORG_ID: 'org-1', THREDD_CLIENT_ID: '6f1c7a52-3b8e-4f5e-9d3a-2b7c1e0f4a11', CI: 'true' };
  // The same facts checked by hand: validity and key/cert match, both credentials.
  const openssl = [
    'set -e',
    ...['signing', 'transport'].flatMap((role) => [
      `openssl x509 -in ${dir}/${role}.pem -noout -checkend 0 >/dev/null`,
      `a=$(openssl x509 -in ${dir}/${role}.pem -noout -pubkey | openssl sha256)`,
      `b=$(openssl pkey -in ${dir}/${role}.key -pubout | openssl sha256)`,
      '[ "$a" = "$b" ]',
    ]),
  ].join('\n');
  const subjects = {
    'node -e 0': () => time(process.execPath, ['-e', '0'], env),
    'golive check --offline': () => time(process.execPath, ['--', cli, 'check', '--offline', config], env),
    'openssl by hand (8 commands)': () => time('sh', ['-c', openssl], env),
    ...(baseline && { 'baseline build --offline': () => time(process.execPath, ['--', baseline, 'check', '--offline', config], env) }),
  };
  const check = execFileSync(process.execPath, [cli, 'check', '--offline', '--format', 'json', config], { env }).toString();
  const report = JSON.parse(check) as { status: string; summary: Record<string, number> };
  if (report.status !== 'pass') throw new Error(`the bench config does not pass: ${check}`);

  const samples = Object.fromEntries(Object.keys(subjects).map((name) => [name, [] as number[]]));
  for (let run = 0; run < RUNS + 3; run++) {
    for (const [name, measure] of Object.entries(subjects)) {
      const elapsed = measure();
      if (run >= 3) samples[name]!.push(elapsed); // the first runs warm the file cache
    }
  }
  const floor = median(samples['node -e 0']!);
  const golive = median(samples['golive check --offline']!);
  console.log(`golive bench: ${RUNS} alternated runs each, medians (${process.version}, ${process.platform})`);
  for (const [name, values] of Object.entries(samples)) {
    const value = median(values);
    console.log(`  ${name.padEnd(30)} ${value.toFixed(1).padStart(7)} ms   ${(value / floor).toFixed(2)}x node -e 0`);
  }
  console.log(`  golive / openssl by hand: ${(golive / median(samples['openssl by hand (8 commands)']!)).toFixed(2)}x`);
  if (baseline) console.log(`  golive / baseline build (${baseline}): ${(golive / median(samples['baseline build --offline']!)).toFixed(2)}x`);
  console.log(`  goal: golive check --offline at most 2.0x node -e 0 -> ${(golive / floor).toFixed(2)}x`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
