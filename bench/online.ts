/**
 * A full online check against the sandbox, golive versus Newman running the
 * equivalent Postman collection (JWKS fetch, token with client_secret_post,
 * probe with the mandatory headers, status assertions) on the same sandbox.
 * Runs alternate; medians. Issue 4's goal: golive at most 0.2x Newman.
 *
 *   npx tsx bench/online.ts          (RUNS=15 by default)
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { parseEnvFile } from '../src/config/interpolate.js';
import { startSandbox } from '../src/sandbox/index.js';

const run = promisify(execFile);
const RUNS = Number(process.env.RUNS ?? 15);
const root = path.resolve(import.meta.dirname, '..');
const cli = path.join(root, 'dist', 'cli.js');
const newman = path.join(root, 'node_modules', 'newman', 'bin', 'newman.js');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The Postman collection a team would write by hand for the same three calls. */
function collection(): object {
  const test = (lines: string[]) => [{ listen: 'test', script: { type: 'text/javascript', exec: lines } }];
  return {
    info: { name: 'golive bench', schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json' },
    item: [
      {
        name: 'JWKS',
        request: { method: 'GET', url: '{{jwks}}' },
        event: test(["pm.test('200', () => pm.response.to.have.status(200));", "pm.test('keys', () => pm.expect(pm.response.json().keys).to.be.an('array').that.is.not.empty);"]),
      },
      {
        name: 'Token',
        request: {
          method: 'POST',
          url: '{{token}}',
          body: {
            mode: 'urlencoded',
            urlencoded: [
              { key: 'grant_type', value: 'client_credentials' },
              { key: 'client_id', value: '{{client_id}}' },
              { key: 'client_secret', value: '{{client_secret}}' },
            ],
          },
        },
        event: test([
          "pm.test('200', () => pm.response.to.have.status(200));",
          "pm.test('bearer', () => pm.expect(pm.response.json().token_type).to.match(/bearer/i));",
          "pm.collectionVariables.set('access_token', pm.response.json().access_token);",
        ]),
      },
      {
        name: 'Probe',
        request: {
          method: 'GET',
          url: '{{api}}/core/api/v1/products',
          header: [
            { key: 'Authorization', value: 'Bearer {{access_token}}' },
            { key: 'X-Region', value: '0' },
            { key: 'Content-Type', value: 'application/json' },
          ],
        },
        event: test(["pm.test('200', () => pm.response.to.have.status(200));"]),
      },
    ],
  };
}

const sandbox = await startSandbox({ quiet: true });
try {
  const config = sandbox.configs['client_secret_post-tls']!;
  const data = parse(readFileSync(config, 'utf8')) as { organisationId: string; client: { id: string }; endpoints: Record<string, string> };
  const secret = parseEnvFile(readFileSync(sandbox.envFile, 'utf8')).THREDD_CLIENT_SECRET!;
  const collectionFile = path.join(sandbox.dir, 'bench.postman_collection.json');
  writeFileSync(collectionFile, JSON.stringify(collection()));
  const vars = {
    jwks: data.endpoints.jwks!.replace('{organisationId}', data.organisationId),
    token: data.endpoints.token!,
    api: data.endpoints.api!,
    client_id: data.client.id,
    client_secret: secret,
  };
  // Both tools start from the same environment; NODE_EXTRA_CA_CERTS would make every Node start load a CA bundle.
  const { NODE_EXTRA_CA_CERTS, ...env } = process.env;
  void NODE_EXTRA_CA_CERTS;
  const subjects: Record<string, () => Promise<unknown>> = {
    'node -e 0': () => run(process.execPath, ['-e', '0'], { env }),
    'golive check (full, online)': () => run(process.execPath, ['--', cli, 'check', '--env-file', sandbox.envFile, config], { env }),
    'newman run (3 requests)': () =>
      run(
        process.execPath,
        [newman, 'run', collectionFile, '--ssl-extra-ca-certs', sandbox.caFile, '--bail', '--reporters', 'cli', ...Object.entries(vars).flatMap(([key, value]) => ['--env-var', `${key}=${value}`])],
        { env },
      ),
  };
  const samples = Object.fromEntries(Object.keys(subjects).map((name) => [name, [] as number[]]));
  for (let round = 0; round < RUNS + 2; round++) {
    for (const [name, measure] of Object.entries(subjects)) {
      const started = performance.now();
      await measure();
      if (round >= 2) samples[name]!.push(performance.now() - started);
    }
  }
  const floor = median(samples['node -e 0']!);
  console.log(`golive online bench: ${RUNS} alternated runs each against the sandbox, medians (${process.version})`);
  for (const [name, values] of Object.entries(samples)) {
    console.log(`  ${name.padEnd(30)} ${median(values).toFixed(1).padStart(7)} ms   ${(median(values) / floor).toFixed(2)}x node -e 0`);
  }
  const ratio = median(samples['golive check (full, online)']!) / median(samples['newman run (3 requests)']!);
  console.log(`  golive / newman: ${ratio.toFixed(2)}x (goal: at most 0.2x)`);
} finally {
  await sandbox.close();
}
