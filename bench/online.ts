/**
 * A full online check against the sandbox, golive versus Newman running the
 * equivalent Postman collection on the same sandbox, runs alternated, medians.
 *
 * golive checks the private_key_jwt + mTLS config. Newman cannot sign a
 * private_key_jwt assertion (Postman's script sandbox has no RSA-PSS), so it
 * gets what it can do over the same mTLS hosts: the JWKS fetch, a token with
 * client_secret_post presenting the same client certificate (Postman's
 * certificates option, `--ssl-client-cert-list`), the probe with the mandatory
 * headers, status assertions. golive on that client_secret_post + mTLS config
 * is measured too, like for like.
 *
 *   npx tsx bench/online.ts          (RUNS=40 gives 10 runs each; GOLIVE_DIST=dist-x for another build)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { parseEnvFile } from '../src/config/interpolate.js';
import { startSandbox } from '../src/sandbox/index.js';
import { benchEnv, cli, isMain, median, root, runCounts, runNode, type Goal } from './support.js';

export const NEWMAN_GOAL = 0.25;
const newman = path.join(root, 'node_modules', 'newman', 'bin', 'newman.js');

interface SandboxConfig {
  organisationId: string;
  client: { id: string };
  transport: { certificate: string; privateKey: string };
  endpoints: Record<'token' | 'jwks' | 'api', string>;
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

/** Newman's arguments for the client_secret_post + mTLS sandbox config: its hosts, client, secret and client certificate. */
export function newmanArgs(dir: string, configFile: string, envFile: string, caFile: string): string[] {
  const config = parse(readFileSync(configFile, 'utf8')) as SandboxConfig;
  const collectionFile = path.join(dir, 'bench.postman_collection.json');
  writeFileSync(collectionFile, JSON.stringify(collection()));
  const certificatesFile = path.join(dir, 'bench.postman_certificates.json');
  const origin = (url: string) => new URL(url).origin;
  writeFileSync(
    certificatesFile,
    JSON.stringify([
      {
        name: 'transport',
        matches: [`${origin(config.endpoints.token)}/*`, `${origin(config.endpoints.api)}/*`],
        cert: { src: path.resolve(dir, config.transport.certificate) },
        key: { src: path.resolve(dir, config.transport.privateKey) },
      },
    ]),
  );
  const vars = {
    jwks: config.endpoints.jwks.replace('{organisationId}', config.organisationId),
    token: config.endpoints.token,
    api: config.endpoints.api,
    client_id: config.client.id,
    client_secret: parseEnvFile(readFileSync(envFile, 'utf8')).THREDD_CLIENT_SECRET!,
  };
  return [
    newman,
    'run',
    collectionFile,
    '--ssl-extra-ca-certs',
    caFile,
    '--ssl-client-cert-list',
    certificatesFile,
    '--bail',
    '--reporters',
    'cli',
    ...Object.entries(vars).flatMap(([key, value]) => ['--env-var', `${key}=${value}`]),
  ];
}

export async function measureOnline(runs: number): Promise<Goal[]> {
  const sandbox = await startSandbox({ quiet: true });
  try {
    const env = benchEnv();
    const check = (config: string) => ['--', cli, 'check', '--env-file', sandbox.envFile, config];
    const subjects: Record<string, string[]> = {
      'node -e 0': ['-e', '0'],
      'golive private_key_jwt + mTLS': check(sandbox.configs['private_key_jwt-mtls']!),
      'golive client_secret_post + mTLS': check(sandbox.configs['client_secret_post-mtls']!),
      'newman client_secret_post + mTLS': newmanArgs(sandbox.dir, sandbox.configs['client_secret_post-mtls']!, sandbox.envFile, sandbox.caFile),
    };
    const samples = Object.fromEntries(Object.keys(subjects).map((name) => [name, [] as number[]]));
    for (let round = 0; round < runs + 2; round++) {
      for (const [name, args] of Object.entries(subjects)) {
        const { ms, code, stdout } = await runNode(args, { env });
        // A bench of a failing run measures the wrong thing: both tools must pass every round.
        if (code !== 0) throw new Error(`${name} did not pass:\n${stdout}`);
        if (round >= 2) samples[name]!.push(ms);
      }
    }
    const floor = median(samples['node -e 0']!);
    console.log(`2. online, one config against the sandbox: ${runs} alternated runs each, medians`);
    console.log('   (Newman cannot sign a private_key_jwt assertion: it runs client_secret_post over the same mTLS hosts, with the client certificate)');
    for (const [name, values] of Object.entries(samples)) {
      console.log(`  ${name.padEnd(34)} ${median(values).toFixed(1).padStart(7)} ms   ${(median(values) / floor).toFixed(2)}x node -e 0`);
    }
    const newmanMs = median(samples['newman client_secret_post + mTLS']!);
    const goliveMs = median(samples['golive private_key_jwt + mTLS']!);
    const ratio = goliveMs / newmanMs;
    const likeForLike = median(samples['golive client_secret_post + mTLS']!) / newmanMs;
    console.log(`  golive private_key_jwt + mTLS / newman: ${ratio.toFixed(2)}x (goal: at most ${NEWMAN_GOAL}x)`);
    console.log(`  golive client_secret_post + mTLS / newman (same auth): ${likeForLike.toFixed(2)}x\n`);
    return [
      {
        figure: '2. online pkjwt+mTLS / Newman (csp+mTLS)',
        measured: `${ratio.toFixed(2)}x (${goliveMs.toFixed(0)} / ${newmanMs.toFixed(0)} ms)`,
        goal: `<= ${NEWMAN_GOAL}x`,
        pass: ratio <= NEWMAN_GOAL,
      },
    ];
  } finally {
    await sandbox.close();
  }
}

if (isMain(import.meta.url)) await measureOnline(runCounts().online);
