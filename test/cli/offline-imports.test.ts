import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECK_IDS } from '../../checks/index.js';
import { BASE_ENV, CLI, DIST, golive } from '../support/cli.js';

// A run that makes no request loads none of the network code: every check's
// definition (id, title, needs, explain) loads at start-up, what its run does
// loads when it runs. The built CLI is run with a module hook that records
// every file it loads; the network code is found in the build by the
// functions it defines (the bundle's file names are hashed, its identifiers
// are not minified).

/** One function each of the modules only network checks run, by the module that defines it. */
const NETWORK_CODE: Record<string, string> = {
  'src/net/session.ts': 'openHttpSession',
  'src/net/connect.ts': 'connectTcp',
  'src/net/probe.ts': 'probeEndpoint',
  'src/net/classify.ts': 'classifyNetworkError',
  'src/net/answer.ts': 'readAnswer',
  'src/net/describe.ts': 'describeNetworkFailure',
  'src/net/proxy.ts': 'proxyFor',
  'src/net/material.ts': 'tlsMaterialFor',
  'src/oauth/explain.ts': 'explainTokenError',
  'src/oauth/prepare.ts': 'prepareCredentials',
  'src/oauth/assertion.ts': 'buildClientAssertion',
  'src/oauth/access-token.ts': 'viewAccessToken',
  'src/oauth/token-response.ts': 'parseTokenAnswer',
  'src/oauth/answer.ts': 'explainAnswer',
  'src/oauth/client-auth.ts': 'buildTokenRequest',
  'src/jwks/parse.ts': 'parseJwks',
  'src/jwks/match.ts': 'matchKeyToJwks',
  'src/jwks/analysis.ts': 'analyseRegistration',
  'src/jwks/registration.ts': 'rankMatches',
  'src/online/thredd-errors.ts': 'summariseErrors',
  'checks/network-checks.ts': 'checkEndpoint',
  // undici and jose are bundled (src/net/undici.ts, src/oauth/jose.ts load them).
  'node_modules/undici/lib/dispatcher/client-h1.js': 'lazyllhttp',
  'node_modules/undici/lib/core/connect.js': 'buildConnector',
  'node_modules/jose/dist/webapi/jws/compact/verify.js': 'compactVerify',
  'node_modules/jose/dist/webapi/jwt/verify.js': 'jwtVerify',
};

const defines = (code: string, name: string): boolean => new RegExp(`\\bfunction ${name}\\(`).test(code);

let dir: string;
let register: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'golive-offline-imports-'));
  // The hooks run in their own thread: each file loaded is appended to the log the run names.
  writeFileSync(
    path.join(dir, 'record.mjs'),
    [
      "import { appendFileSync } from 'node:fs';",
      'export async function load(url, context, next) {',
      "  if (url.startsWith('file:')) appendFileSync(process.env.GOLIVE_LOAD_LOG, url + '\\n');",
      '  return next(url, context);',
      '}',
    ].join('\n'),
  );
  register = path.join(dir, 'register.mjs');
  writeFileSync(register, "import { register } from 'node:module';\nregister('./record.mjs', import.meta.url);\n");
  const init = await golive(['init', 'golive.yaml'], dir);
  expect(init.code, init.stderr).toBe(0);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `golive ARGS` under the hook: its exit code and the built files it loaded. */
function loadedBy(args: readonly string[]): Promise<{ code: number; stdout: string; loaded: string[] }> {
  const log = path.join(dir, `loaded-${args.join('-').replace(/[^a-z0-9.-]+/gi, '_')}.log`);
  writeFileSync(log, '');
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', pathToFileURL(register).href, '--', CLI, ...args],
      { cwd: dir, env: { ...BASE_ENV, HOME: dir, GOLIVE_LOAD_LOG: log }, timeout: 60_000 },
      (error, stdout) => {
        if (error && typeof error.code !== 'number') return reject(error);
        const loaded = readFileSync(log, 'utf8')
          .split('\n')
          .filter((url) => url !== '')
          .map((url) => fileURLToPath(url))
          .filter((file) => file.startsWith(DIST + path.sep));
        resolve({ code: error ? (error.code as number) : 0, stdout, loaded: [...new Set(loaded)] });
      },
    );
  });
}

/** Which network modules the given built files hold. */
function networkModulesIn(files: readonly string[]): string[] {
  const code = files.map((file) => readFileSync(file, 'utf8'));
  return Object.entries(NETWORK_CODE).flatMap(([module, name]) => (code.some((text) => defines(text, name)) ? [module] : []));
}

describe('what a run that makes no request loads', () => {
  it('finds every network module in the build, so its absence below means something', () => {
    const built = readdirSync(DIST)
      .filter((file) => file.endsWith('.js'))
      .map((file) => path.join(DIST, file));
    expect(networkModulesIn(built)).toEqual(Object.keys(NETWORK_CODE));
  });

  it('check --offline loads no network code, and skips every network check', async () => {
    const { stdout, loaded } = await loadedBy(['check', '--offline', '--format', 'json', 'golive.yaml']);
    expect(loaded).toContain(CLI);
    const report = JSON.parse(stdout) as { runs: { checks: { id: string; status: string; skipReason?: string }[] }[] };
    // The check registry loaded: the run reached every check.
    expect(report.runs[0]!.checks.map((check) => check.id)).toEqual(CHECK_IDS);
    const tokenRequest = report.runs[0]!.checks.find((check) => check.id === 'token.request');
    expect(tokenRequest).toMatchObject({ status: 'skip', skipReason: 'offline' });
    expect(networkModulesIn(loaded)).toEqual([]);
  });

  it.each([[['explain', 'token.request']], [['explain', 'jwks.fetch']], [['--help']]])('golive %j loads no network code', async (args) => {
    const { code, loaded } = await loadedBy(args);
    expect(code).toBe(0);
    expect(loaded).toContain(CLI);
    expect(networkModulesIn(loaded)).toEqual([]);
  });
});
