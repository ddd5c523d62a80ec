import type { Status } from '../../src/pipeline/check.js';
import type { CheckReport, Report, RunConfigSummary, RunReport, Summary } from '../../src/report/types.js';
import { CHECKS } from '../../checks/index.js';

/**
 * Fixed reports for reporter tests: a stable clock and host, so snapshots
 * never change with the machine or the time of day.
 */

export const FIXED_HOST: Report['host'] = {
  node: 'v20.20.2',
  openssl: '3.0.15+quic',
  platform: 'linux',
  arch: 'x64',
  clockSkewMs: 140,
};

// Titles, needs and order come from the registry, so fixtures cannot drift from real reports.
const TITLES: Record<string, string> = Object.fromEntries(CHECKS.map((check) => [check.id, check.title]));
const NEEDS: Record<string, readonly string[]> = Object.fromEntries(CHECKS.map((check) => [check.id, check.needs.map((need) => need.id)]));

export const CHECK_ORDER = CHECKS.map((check) => check.id as string);

type CheckOverrides = Partial<Omit<CheckReport, 'id' | 'status'>>;

export function check(id: string, status: Status, overrides: CheckOverrides = {}): CheckReport {
  return {
    id,
    title: TITLES[id] ?? id,
    status,
    durationMs: 1,
    needs: [...(NEEDS[id] ?? [])],
    ...overrides,
  };
}

export function summarise(checks: readonly CheckReport[]): Summary {
  const summary: Summary = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const c of checks) summary[c.status] += 1;
  return summary;
}

function blocks(summary: Summary, strict: boolean): boolean {
  return summary.fail > 0 || (strict && summary.warn > 0);
}

/** Every check in table order: the given results, `pass` for the rest. */
export function run(config: RunConfigSummary, results: readonly CheckReport[], strict = false): RunReport {
  const byId = new Map(results.map((result) => [result.id, result]));
  const extra = results.filter((result) => !CHECK_ORDER.includes(result.id));
  const checks = [...CHECK_ORDER.map((id) => byId.get(id) ?? check(id, 'pass')), ...extra];
  const summary = summarise(checks);
  return { config, status: blocks(summary, strict) ? 'fail' : 'pass', summary, checks };
}

export function report(runs: readonly RunReport[], options: { strict?: boolean; command?: string } = {}): Report {
  const strict = options.strict ?? false;
  const summary = summarise(runs.flatMap((r) => r.checks));
  return {
    schemaVersion: 1,
    tool: { name: 'golive', version: '1.0.0' },
    command: options.command ?? 'check',
    startedAt: '2026-11-28T10:00:00.000Z',
    durationMs: 812,
    status: blocks(summary, strict) ? 'fail' : 'pass',
    strict,
    summary,
    host: FIXED_HOST,
    runs: [...runs],
  };
}

const PROD: RunConfigSummary = {
  path: 'config/prod.yaml',
  sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  profile: 'thredd',
  environment: 'production',
  connectivity: 'tls',
  region: 1,
  authMethod: 'private_key_jwt',
  clientId: 'https://threddid.com/clients/4f1c2a9e-1b7d-4c1e-9a53-0d7b2f6c8e11',
  organisationId: 'org-1234',
  endpoints: {
    token: 'https://threddid.com/oauth2/token',
    jwks: 'http://jwks.threddid.com/org-1234/jwks.json',
    api: 'https://api.thredd.com',
  },
};

const UAT: RunConfigSummary = {
  path: 'config/uat.yaml',
  sha256: '60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752',
  profile: 'thredd',
};

const TRANSPORT_NA = 'not applicable: tls connectivity uses no transport certificate';

/** Production run: a warning with a config location, a failure with evidence, an internal error, skips. */
export function prodRun(strict = false): RunReport {
  return run(
    PROD,
    [
      check('config.parse', 'pass', { durationMs: 3 }),
      check('config.consistency', 'warn', {
        durationMs: 2,
        message: 'The JWKS URL http://jwks.threddid.com/org-1234/jwks.json uses plain http.',
        hint: 'Use the https JWKS URL if your platform offers one; the key set is public but can be tampered with in transit.',
        evidence: { url: 'http://jwks.threddid.com/org-1234/jwks.json', location: { path: 'endpoints.jwks', line: 21, column: 9 } },
      }),
      check('signing.certificate', 'warn', {
        durationMs: 4,
        message: 'The signing certificate expires on 2026-12-10 (in 12 days).',
        hint: 'Renew the signing certificate and register the new one in the portal before 2026-12-10.',
        evidence: {
          subject: 'CN=acme-signing',
          issuer: 'CN=Thredd Issuing CA',
          notAfter: '2026-12-10T00:00:00.000Z',
          daysLeft: 12,
          'x5t#S256': 'q2Xy0dGk3s9Vb8nWc1Jm4RtP7eLhA6uZoF5iK2yBw0E',
        },
      }),
      check('transport.key', 'skip', { durationMs: 0, message: TRANSPORT_NA }),
      check('transport.certificate', 'skip', { durationMs: 0, message: TRANSPORT_NA }),
      check('transport.keypair', 'skip', { durationMs: 0, message: TRANSPORT_NA }),
      check('jwks.fetch', 'pass', {
        durationMs: 143,
        evidence: { status: 200, contentType: 'application/json', bytes: 2817, kids: ['a1', 'b2'] },
      }),
      check('jwks.signing-key', 'fail', {
        durationMs: 3,
        message: 'The signing key (thumbprint q2Xy0dGk…Bw0E) is not in the JWKS; it holds kids a1, b2.',
        hint: 'Register the signing certificate in the portal, or point signing.privateKey at the registered key.',
        evidence: {
          thumbprint: 'q2Xy0dGk3s9Vb8nWc1Jm4RtP7eLhA6uZoF5iK2yBw0E',
          jwksKids: ['a1', 'b2'],
          configKid: 'c3',
          registered: { a1: { use: 'sig', alg: 'PS256' }, b2: { use: 'sig' } },
        },
      }),
      check('jwks.transport-key', 'skip', { durationMs: 0, message: TRANSPORT_NA }),
      check('network.token-endpoint', 'pass', { durationMs: 212, evidence: { tls: 'TLSv1.3', ip: '203.0.113.10' } }),
      check('network.api-endpoint', 'fail', {
        durationMs: 7,
        internalError: true,
        message: 'internal error in check network.api-endpoint',
        hint: 'This is a golive bug, not a problem with your config: rerun with --debug and report it.',
        evidence: { error: "TypeError: Cannot read properties of undefined (reading 'port')" },
      }),
      check('clock.skew', 'pass', { durationMs: 0.4, evidence: { skewMs: 140, serverDate: 'Sat, 28 Nov 2026 10:00:00 GMT' } }),
      check('token.request', 'fail', {
        durationMs: 1311,
        message: 'The token endpoint answered 401 invalid_client: "client authentication failed".',
        hint: 'The assertion was signed with kid c3, which the JWKS does not hold: set signing.kid to the registered kid.',
        evidence: {
          status: 401,
          error: 'invalid_client',
          error_description: 'client authentication failed',
          aud: 'https://threddid.com/oauth2/token',
          postedTo: 'https://threddid.com/oauth2/token',
          kid: 'c3',
          alg: 'PS256',
          traceId: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
        },
      }),
      check('token.response', 'skip', { durationMs: 0, message: 'needs token.request, which failed' }),
      check('probe.call', 'skip', { durationMs: 0, message: 'needs token.request, which failed' }),
    ],
    strict,
  );
}

/** UAT run whose config has a schema error: everything downstream is not reached. */
export function uatRun(): RunReport {
  const notReached = (id: string, need: string, how: 'failed' | 'was skipped') =>
    check(id, 'skip', { durationMs: 0, message: `needs ${need}, which ${how}` });
  return run(UAT, [
    check('config.parse', 'pass', { durationMs: 2 }),
    check('config.schema', 'fail', {
      durationMs: 9,
      message: 'client.clientid is not a known key.',
      hint: 'Did you mean client.id? Rename the key.',
      evidence: { keyword: 'additionalProperties', suggestion: 'client.id', location: { path: 'client.clientid', line: 7, column: 3 } },
    }),
    notReached('config.references', 'config.schema', 'failed'),
    ...CHECK_ORDER.slice(3).map((id) => notReached(id, (NEEDS[id] ?? [])[0] ?? 'config.references', 'was skipped')),
  ]);
}

/** The mixed report: two runs, every kind of result. */
export function mixedReport(): Report {
  return report([prodRun(), uatRun()]);
}

/** One run where everything passes or does not apply. */
export function passingReport(): Report {
  return report([
    run(PROD, [
      check('config.parse', 'pass', { durationMs: 3 }),
      ...['transport.key', 'transport.certificate', 'transport.keypair', 'jwks.transport-key'].map((id) =>
        check(id, 'skip', { durationMs: 0, message: TRANSPORT_NA }),
      ),
      check('token.request', 'pass', { durationMs: 1311, evidence: { status: 200 } }),
    ]),
  ]);
}

/** Warnings only, under --strict: the warnings fail the run. */
export function strictReport(): Report {
  return report(
    [
      run(
        PROD,
        [
          check('signing.certificate', 'warn', {
            durationMs: 4,
            message: 'The signing certificate expires on 2026-12-10 (in 12 days).',
            hint: 'Renew the signing certificate before 2026-12-10.',
            evidence: { daysLeft: 12 },
          }),
        ],
        true,
      ),
    ],
    { strict: true },
  );
}

/** Text that breaks naive escaping in every format. */
export const HOSTILE_TEXT =
  'bad <tag attr="x" other=\'y\'> & ]]> | pipe, comma: colon 100% \u001b[31mred\u001b[0m \u0000nul \u0007bell\r\nsecond line\n\u2028sep \ud800 lone \uffff';

export function hostileReport(): Report {
  return report([
    run({ path: 'odd dir/cfg,1:a%.yaml' }, [
      check('config.schema', 'fail', {
        message: HOSTILE_TEXT,
        hint: HOSTILE_TEXT,
        evidence: { raw: HOSTILE_TEXT, list: [HOSTILE_TEXT, 1, true, null], location: { path: 'a|b', line: 2, column: 4 } },
      }),
      check('config.references', 'warn', { message: HOSTILE_TEXT, hint: HOSTILE_TEXT }),
      check('config.consistency', 'skip', { message: HOSTILE_TEXT }),
      check('signing.key', 'fail', { internalError: true, message: HOSTILE_TEXT }),
    ]),
  ]);
}

/** A report with given message and hint on a failure and a warning, for property tests. */
export function reportWithText(message: string, hint: string, strict = false): Report {
  return report(
    [
      run(
        { path: message.slice(0, 20) || 'x.yaml' },
        [
          check('config.schema', 'fail', { message, hint, evidence: { message, location: { path: 'a', line: 1, column: 1 } } }),
          check('config.references', 'warn', { message, hint }),
          check('config.consistency', 'skip', { message }),
          check('signing.key', 'fail', { internalError: true, message }),
        ],
        strict,
      ),
    ],
    { strict },
  );
}
