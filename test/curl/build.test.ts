import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { curlSteps, formatCurlSteps, NETWORK_STEPS, type CurlStep } from '../../src/curl/build.js';
import type { ResolvedConfig } from '../../src/config/types.js';
import { basicAuthorization } from '../../src/oauth/client-auth.js';
import type { CheckReport, RunReport } from '../../src/report/types.js';
import { resolvedConfig, type ResolvedOverrides } from '../support/resolved-config.js';
import { check, run } from '../support/report-fixtures.js';
import { CLOCK_ENV } from '../support/cli.js';

const DIR = '/work/project/config';
const CWD = '/work/project';
const CANARY = 'CANARY-s3cr3t+/=%:&\'"$`!\\ x';
const PASS_CANARY = 'CANARY-passphrase-0f9e';

/** A resolved config whose raw data (before interpolation) is `raw`. */
function config(overrides: ResolvedOverrides, raw: Record<string, unknown> = {}): ResolvedConfig {
  const resolved = resolvedConfig(DIR, overrides);
  return { ...resolved, parsed: { ...resolved.parsed, data: raw } };
}

function passingRun(results: CheckReport[] = []): RunReport {
  return run({ path: 'config/golive.yaml' }, results);
}

function steps(resolved: ResolvedConfig, report: RunReport = passingRun(), timeoutMs?: number): CurlStep[] {
  return curlSteps(resolved, report, { cwd: CWD, timeoutMs });
}

function text(list: CurlStep[]): string {
  return formatCurlSteps(list).join('\n');
}

function step(list: CurlStep[], id: string): CurlStep {
  const found = list.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no ${id} step`);
  return found;
}

/** What bash makes of a command line: one argument per line (NUL-separated), variables from env. */
function shellArgs(commandText: string, env: Record<string, string> = {}): string[] {
  const script = `${commandText.replace(/^curl /, "printf '%s\\0' ")}`;
  const out = execFileSync('bash', ['-c', script], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...CLOCK_ENV, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return out.split('\0').slice(0, -1);
}

const SECRET_POST = config(
  { authMethod: 'client_secret_post' },
  { client: { id: '${THREDD_CLIENT_ID}', secret: '${THREDD_CLIENT_SECRET}' } },
);
SECRET_POST.client.secret = CANARY;

describe('curlSteps', () => {
  it('gives one step per network check, in report order', () => {
    expect(steps(SECRET_POST).map((s) => s.id)).toEqual([...NETWORK_STEPS]);
  });

  it('client_secret_post: the secret as the config\'s own variable, form-url-encoded by curl', () => {
    const token = step(steps(SECRET_POST), 'token.request');
    expect(token.command).toContain('--data-urlencode "client_secret=${THREDD_CLIENT_SECRET}"');
    expect(token.command).toContain(`--data-urlencode client_id=${SECRET_POST.client.id}`);
    expect(token.variables).toEqual(['THREDD_CLIENT_SECRET']);
    const args = shellArgs(token.command, { THREDD_CLIENT_SECRET: CANARY });
    expect(args).toContain(`client_secret=${CANARY}`);
    expect(args.at(-1)).toBe('https://threddid.com/oauth2/token');
    expect(args).toEqual(expect.arrayContaining(['--max-time', '10', '--header', 'Accept: application/json']));
  });

  it('client_secret_basic: a header built exactly as golive builds it, whatever the secret holds', () => {
    const basic = config({ authMethod: 'client_secret_basic' }, { client: { secret: '${THREDD_CLIENT_SECRET}' } });
    basic.client.secret = CANARY;
    basic.client.id = 'https://threddid.com/clients/ünïcode id';
    const token = step(steps(basic), 'token.request');
    expect(token.command).toContain('--header "Authorization: Basic ${BASIC_CREDENTIALS}"');
    expect(token.command).not.toContain('client_secret=');
    expect(token.command).not.toMatch(/\s-u\s|--user/);
    expect(token.notes.join(' ')).toMatch(/curl -u does not/);
    const header = execFileSync('bash', ['-c', `${token.setup.join('\n')}\nprintf '%s' "$BASIC_CREDENTIALS"`], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...CLOCK_ENV, THREDD_CLIENT_SECRET: CANARY },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(`Basic ${header}`).toBe(basicAuthorization(basic.client.id, CANARY));
  });

  it('private_key_jwt: $CLIENT_ASSERTION, with what golive signed taken from the report', () => {
    const jwt = config({ signing: { privateKey: 'certs/signing.key', certificate: 'certs/signing.pem' } });
    const report = passingRun([
      check('token.request', 'fail', {
        message: 'invalid_client',
        evidence: { assertion: { header: { alg: 'PS256', kid: 'kid-7' }, claims: { aud: 'www.threddid.com/oauth2/token', iss: 'x' } } },
      }),
    ]);
    const token = step(steps(jwt, report), 'token.request');
    expect(token.outcome).toBe('fail');
    expect(token.command).toContain('--data-urlencode "client_assertion=${CLIENT_ASSERTION}"');
    expect(token.command).toContain('--data-urlencode client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    const notes = token.notes.join(' ');
    expect(notes).toMatch(/curl cannot sign the client assertion/);
    expect(notes).toContain('alg PS256, kid kid-7');
    expect(notes).toContain('aud www.threddid.com/oauth2/token');
    expect(token.variables).toEqual(['CLIENT_ASSERTION']);
  });

  it('mTLS: the transport certificate and key relative to the working folder, a passphrase as its variable', () => {
    const mtls = config(
      { authMethod: 'client_secret_post', transport: { certificate: 'certs/transport.pem', privateKey: 'certs/transport.key', passphrase: PASS_CANARY } },
      { client: { secret: '${THREDD_CLIENT_SECRET}' }, transport: { passphrase: '${TRANSPORT_KEY_PASSPHRASE}' } },
    );
    mtls.client.secret = CANARY;
    const list = steps(mtls);
    for (const id of ['network.token-endpoint', 'network.api-endpoint', 'token.request', 'probe.call']) {
      const command = step(list, id).command;
      expect(command).toContain('--cert ./config/certs/transport.pem');
      expect(command).toContain('--key ./config/certs/transport.key');
      expect(command).toContain('--pass "${TRANSPORT_KEY_PASSPHRASE}"');
    }
    expect(step(list, 'jwks.fetch').command).not.toContain('--cert');
    expect(step(list, 'probe.call').notes.join(' ')).toMatch(/bound to the client certificate/);
    expect(text(list)).not.toContain(PASS_CANARY);
  });

  it('mTLS with a PKCS#12 bundle: --cert-type P12', () => {
    const bundle = config({ authMethod: 'client_secret_post', transport: { privateKey: 'transport.p12' } }, {});
    const command = step(steps(bundle), 'network.token-endpoint').command;
    expect(command).toContain('--cert-type P12 --cert ./config/transport.p12');
    expect(command).not.toContain('--key');
  });

  it('escapes a colon in a --cert file name', () => {
    const colon = config({ authMethod: 'client_secret_post', transport: { certificate: 'a:b.pem', privateKey: 'a:b.key' } }, {});
    const args = shellArgs(step(steps(colon), 'network.token-endpoint').command);
    expect(args[args.indexOf('--cert') + 1]).toBe('./config/a\\:b.pem');
    expect(args[args.indexOf('--key') + 1]).toBe('./config/a:b.key');
  });

  it('a file path from a variable named like a secret stays a variable', () => {
    const hidden = config(
      { authMethod: 'client_secret_post', transport: { certificate: 'certs/t.pem', privateKey: 'CANARY-key-path.key' } },
      { transport: { privateKey: '${TRANSPORT_KEY}' } },
    );
    const list = steps(hidden);
    expect(step(list, 'network.api-endpoint').command).toContain('--key "${TRANSPORT_KEY}"');
    // Shown once, at the first step that uses the file.
    expect(step(list, 'network.token-endpoint').notes.join(' ')).toMatch(/against the config's folder/);
    expect(text(steps(hidden))).not.toContain('CANARY');
  });

  it('--cacert from http.ca for https hosts only, with a note on what it replaces', () => {
    const withCa = config({ authMethod: 'client_secret_post', http: { timeoutMs: 10_000, jwksMaxBytes: 1000, ca: `${DIR}/extra-ca.pem` } }, {});
    const list = steps(withCa);
    expect(step(list, 'jwks.fetch').command).not.toContain('--cacert');
    for (const id of ['network.token-endpoint', 'network.api-endpoint', 'token.request', 'probe.call']) {
      expect(step(list, id).command).toContain('--cacert ./config/extra-ca.pem');
    }
    const notes = list.flatMap((s) => s.notes).filter((note) => note.startsWith('--cacert'));
    expect(notes).toHaveLength(1);
  });

  it('--max-time from --timeout, else from http.timeoutMs', () => {
    expect(step(steps(SECRET_POST, passingRun(), 2500), 'jwks.fetch').command).toContain('--max-time 2.5');
    expect(step(steps(SECRET_POST), 'jwks.fetch').command).toContain('--max-time 10');
  });

  it('the probe call: bearer token as $ACCESS_TOKEN, X-Region, Content-Type, the probe URL', () => {
    const probe = step(steps(config({ region: 2, authMethod: 'client_secret_post' }, {})), 'probe.call');
    const args = shellArgs(probe.command, { ACCESS_TOKEN: 'tok' });
    expect(args).toEqual(expect.arrayContaining(['Authorization: Bearer tok', 'X-Region: 2', 'Content-Type: application/json']));
    expect(args.at(-1)).toBe('https://uat-api.thredd.com/core/api/v1/products');
    expect(probe.variables).toEqual(['ACCESS_TOKEN']);
    expect(args).not.toContain('--request');
  });

  it('the connection steps are a verbose HEAD to each host, as golive probes them', () => {
    const list = steps(SECRET_POST);
    expect(shellArgs(step(list, 'network.token-endpoint').command)).toEqual(expect.arrayContaining(['--verbose', '--head', 'https://threddid.com/oauth2/token']));
    expect(shellArgs(step(list, 'network.api-endpoint').command).at(-1)).toBe('https://uat-api.thredd.com');
  });

  it('leaves out steps the user deselected; marks steps that did not run', () => {
    const report = passingRun([
      check('jwks.fetch', 'skip', { message: 'not selected by --only' }),
      check('network.api-endpoint', 'skip', { message: 'skipped by --skip network.api-endpoint' }),
      check('token.request', 'skip', { message: '--offline: no network' }),
      check('probe.call', 'skip', { message: 'needs token.request, which was skipped' }),
    ]);
    const list = steps(SECRET_POST, report);
    expect(list.map((s) => [s.id, s.outcome])).toEqual([
      ['network.token-endpoint', 'pass'],
      ['token.request', 'not run: --offline: no network'],
      ['probe.call', 'not run: needs token.request, which was skipped'],
    ]);
    expect(formatCurlSteps(list)[0]).toMatch(/^# 1\/3 network\.token-endpoint \(pass\): connect to the token host over TLS$/);
  });

  it('a secret written inline in the config becomes a placeholder variable, never the value', () => {
    const inline = config({ authMethod: 'client_secret_post' }, { client: { secret: CANARY } });
    inline.client.secret = CANARY;
    const token = step(steps(inline), 'token.request');
    expect(token.command).toContain('"client_secret=${CLIENT_SECRET}"');
    expect(token.notes.join(' ')).toMatch(/client\.secret is written in the config itself/);
    expect(text(steps(inline))).not.toContain('CANARY');
  });

  it('a variable with a default: the variable, and a note (the default may be a secret)', () => {
    const fallback = config({ authMethod: 'client_secret_post' }, { client: { secret: `\${THREDD_CLIENT_SECRET:-${CANARY}}` } });
    fallback.client.secret = CANARY;
    const token = step(steps(fallback), 'token.request');
    expect(token.command).toContain('"client_secret=${THREDD_CLIENT_SECRET}"');
    expect(token.notes.join(' ')).toMatch(/falls back to a default/);
    expect(text(steps(fallback))).not.toContain('CANARY');
  });

  it('a client id from a variable named like a secret is not written out', () => {
    const keyed = config({ authMethod: 'client_secret_post' }, { client: { id: '${API_KEY_ID}', secret: '${S}' } });
    keyed.client.id = 'CANARY-client-id';
    const token = step(steps(keyed), 'token.request');
    expect(token.command).toContain('"client_id=${API_KEY_ID}"');
    expect(text(steps(keyed))).not.toContain('CANARY');
  });

  it('quotes hostile literal values so the shell passes them through unchanged', () => {
    const hostile = config({ authMethod: 'client_secret_post' }, {});
    hostile.client.id = `it's $HOME \`id\` "q" !x \\ ; rm -rf`;
    hostile.probe = { method: 'delete', path: "/a b/'c'", expectStatus: [200] };
    const list = steps(hostile);
    expect(shellArgs(step(list, 'token.request').command)).toContain(`client_id=${hostile.client.id}`);
    const probeArgs = shellArgs(step(list, 'probe.call').command, { ACCESS_TOKEN: 't' });
    expect(probeArgs.at(-1)).toBe("https://uat-api.thredd.com/a b/'c'");
    expect(probeArgs).toEqual(expect.arrayContaining(['--request', 'DELETE']));
  });

  it('a value with control characters becomes a placeholder', () => {
    const odd = config({ authMethod: 'client_secret_post' }, {});
    odd.client.id = 'abc\u001b[31m\ndef';
    const list = steps(odd);
    expect(step(list, 'token.request').command).toContain('"client_id=${CLIENT_ID}"');
    expect(text(list)).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
  });

  it('never prints a secret value: canaries in every secret field, every auth method and connectivity', () => {
    for (const authMethod of ['client_secret_post', 'client_secret_basic', 'private_key_jwt'] as const) {
      for (const connectivity of ['tls', 'mtls'] as const) {
        for (const raw of [
          { client: { secret: '${THREDD_CLIENT_SECRET}' }, transport: { passphrase: '${TRANSPORT_PASSPHRASE}' } },
          { client: { secret: CANARY }, transport: { passphrase: PASS_CANARY } },
          { client: { secret: `pre-\${A}-\${B}` }, transport: { passphrase: `\${X:-${PASS_CANARY}}` } },
        ]) {
          const resolved = config(
            {
              authMethod,
              connectivity,
              ...(authMethod === 'private_key_jwt' && { signing: { passphrase: PASS_CANARY } }),
              ...(connectivity === 'mtls' && { transport: { certificate: 't.pem', passphrase: PASS_CANARY } }),
            },
            raw,
          );
          if (authMethod !== 'private_key_jwt') resolved.client.secret = CANARY;
          const output = text(steps(resolved));
          expect(output, `${authMethod} ${connectivity}`).not.toContain('CANARY');
          expect(output).not.toContain(path.join(DIR, 'x'));
        }
      }
    }
  });
});
