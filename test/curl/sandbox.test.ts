import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkConfigs } from '../../src/check-run.js';
import { interpolate, parseEnvFile } from '../../src/config/interpolate.js';
import { parseConfigFile } from '../../src/config/parse.js';
import { resolveConfig } from '../../src/config/resolve.js';
import type { ResolvedConfig } from '../../src/config/types.js';
import { curlSteps, type CurlStep } from '../../src/curl/build.js';
import { DEFAULT_OPTIONS } from '../../src/pipeline/context.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { assertionFor } from '../sandbox/client.js';
import { sandboxEnv } from '../support/online.js';
import { CLOCK_ENV } from '../support/cli.js';

// The commands --curl prints, run with the real curl against the sandbox:
// they must do what golive did (a token, then a 200 from the probe).

function hasCurl(): boolean {
  try {
    execFileSync('curl', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

let sandbox: Sandbox;
let secrets: Record<string, string>;

beforeAll(async () => {
  sandbox = await startSandbox({ quiet: true });
  secrets = parseEnvFile(readFileSync(sandbox.envFile, 'utf8'));
}, 60_000);

afterAll(async () => {
  await sandbox?.close();
});

async function stepsFor(name: string): Promise<{ steps: CurlStep[]; config: ResolvedConfig }> {
  const file = sandbox.configs[name]!;
  const env = sandboxEnv(sandbox);
  const { report } = await checkConfigs({ configs: [file], options: { ...DEFAULT_OPTIONS }, env });
  expect(report.status).toBe('pass');
  const parsed = await parseConfigFile(file);
  if (!parsed.ok) throw new Error('the sandbox config does not parse');
  const resolved = resolveConfig(interpolate(parsed.config.data, env).data, parsed.config);
  if ('badRegion' in resolved) throw new Error('bad region');
  return { steps: curlSteps(resolved, report.runs[0]!, { cwd: sandbox.dir }), config: resolved };
}

/** Runs a step's lines with bash in the sandbox folder; only the given variables are set. */
function runStep(step: CurlStep, variables: Record<string, string>): Promise<{ status: number; body: string; stderr: string }> {
  const script = [...step.setup, step.command].join('\n');
  return new Promise((resolve, reject) => {
    // --norc: stdin is a socket pair, so bash would take itself for an ssh session and source ~/.bashrc
    // (half a second per step here, and whatever a developer's .bashrc does).
    const child = execFile('bash', ['--norc', '-c', script], { cwd: sandbox.dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...CLOCK_ENV, ...variables }, timeout: 20_000 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') return reject(error);
      const [head = '', ...rest] = stdout.split(/\r?\n\r?\n/);
      const status = Number(/^HTTP\/[\d.]+ (\d{3})/m.exec(head)?.[1] ?? /^< HTTP\/[\d.]+ (\d{3})/m.exec(stderr)?.[1] ?? 0);
      resolve({ status, body: rest.join('\n\n'), stderr });
    });
    child.stdin?.end();
  });
}

describe.runIf(hasCurl())('--curl commands against the sandbox', () => {
  it.each(['client_secret_post-tls', 'client_secret_basic-tls', 'client_secret_basic-mtls', 'private_key_jwt-tls', 'private_key_jwt-mtls'])(
    '%s: every step answers as it did for golive',
    async (name) => {
      const { steps, config } = await stepsFor(name);
      const byId = Object.fromEntries(steps.map((step) => [step.id, step]));
      expect(Object.keys(byId)).toEqual(['jwks.fetch', 'network.token-endpoint', 'network.api-endpoint', 'token.request', 'probe.call']);

      const jwks = await runStep(byId['jwks.fetch']!, {});
      expect(jwks.status).toBe(200);
      expect(JSON.parse(jwks.body).keys.length).toBeGreaterThan(0);

      for (const id of ['network.token-endpoint', 'network.api-endpoint']) {
        const connection = await runStep(byId[id]!, {});
        expect(connection.stderr).toMatch(/SSL connection using TLS/);
        expect(connection.status).toBeGreaterThan(0);
      }

      const variables: Record<string, string> = { THREDD_CLIENT_SECRET: secrets['THREDD_CLIENT_SECRET']! };
      if (config.client.authMethod === 'private_key_jwt') {
        variables['CLIENT_ASSERTION'] = await assertionFor(sandbox, config.client.id, { method: 'private_key_jwt', mtls: config.connectivity === 'mtls' }, config.endpoints.token);
      }
      const token = await runStep(byId['token.request']!, variables);
      expect(token.status, token.body).toBe(200);
      const accessToken = JSON.parse(token.body).access_token as string;
      expect(accessToken).toBeTruthy();

      const probe = await runStep(byId['probe.call']!, { ACCESS_TOKEN: accessToken });
      expect(probe.status, probe.body).toBe(200);
    },
    30_000,
  );
});
