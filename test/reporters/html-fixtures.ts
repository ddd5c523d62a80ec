import type { Report } from '../../src/report/types.js';
import { check, prodRun, report, run } from '../support/report-fixtures.js';

/**
 * Reports for the HTML reporter: network checks with a `timeline` in their
 * evidence (one entry per probe or request, ms since the run started), and
 * hostile text in messages and evidence.
 */

export const HOSTILE = `<script>alert("x")</script> & 'quoted' <img src="http://evil.example/x.png">`;

type Phase = { name: string; ms: number };
const entry = (kind: 'probe' | 'request', label: string, atMs: number, phases: Phase[], reused?: boolean) => ({ kind, label, atMs, phases, ...(reused !== undefined && { reused }) });
const p = (name: string, ms: number): Phase => ({ name, ms });

/** Seven timeline entries, 22 phases in all. */
export const TIMELINES: Record<string, ReturnType<typeof entry>[]> = {
  'network.token-endpoint': [entry('probe', 'threddid.com:443', 5, [p('dns', 12), p('connect', 20), p('tls', 41)])],
  'network.api-endpoint': [entry('probe', 'api.thredd.com:443', 6, [p('dns', 9), p('connect', 18), p('proxy', 7), p('tls', 35)])],
  'jwks.fetch': [entry('request', 'GET /org-1234/jwks.json', 90, [p('dns', 3), p('connect', 15), p('sent', 1), p('wait', 60), p('body', 4)])],
  'token.request': [
    entry('request', 'POST /oauth2/token', 180, [p('connect', 16), p('tls', 38), p('sent', 2), p('wait', 120), p('body', 3)], false),
    entry('request', 'POST /oauth2/token (retry)', 360, [p('sent', 1), p('wait', 95)], true),
  ],
  'probe.call': [
    entry('request', 'GET /api/v1/ping', 470, [p('wait', 80), p('body', 2)], true),
    entry('probe', HOSTILE, 560, [p('dns', 1)]),
  ],
};

export const PHASE_COUNT = Object.values(TIMELINES)
  .flat()
  .reduce((sum, item) => sum + item.phases.length, 0);
export const ENTRY_COUNT = Object.values(TIMELINES).flat().length;

const CONFIG = { path: 'config/prod.yaml', profile: 'thredd', environment: 'production', connectivity: 'mtls', region: 1, authMethod: 'private_key_jwt' };

/** A failing check run with timelines, certificates and hostile strings. */
export function timelineReport(): Report {
  const timed = (id: string, status: 'pass' | 'fail', extra: Record<string, unknown> = {}) =>
    check(id, status, { durationMs: 100, evidence: { ...extra, timeline: TIMELINES[id] } });
  return report([
    run(CONFIG, [
      check('signing.certificate', 'warn', {
        message: `The signing certificate expires soon. ${HOSTILE}`,
        hint: `Renew it "now" ${HOSTILE}`,
        evidence: {
          file: 'certs/signing.pem',
          subject: 'CN=acme-signing, O=<b>Acme</b>',
          issuer: 'CN=Thredd Issuing CA',
          notBefore: '2026-01-01T00:00:00.000Z',
          notAfter: '2026-12-10T00:00:00.000Z',
          daysLeft: 12,
          note: HOSTILE,
        },
      }),
      check('transport.certificate', 'pass', {
        evidence: { subject: 'CN=acme-transport', issuer: 'CN=Thredd Issuing CA', notBefore: '2026-06-01T00:00:00.000Z', notAfter: '2027-06-01T00:00:00.000Z' },
      }),
      timed('network.token-endpoint', 'pass', { tls: 'TLSv1.3' }),
      timed('network.api-endpoint', 'pass'),
      timed('jwks.fetch', 'pass', { status: 200 }),
      timed('token.request', 'fail', { status: 401, error_description: HOSTILE }),
      timed('probe.call', 'pass'),
    ]),
  ]);
}

/** An older report: `timings` only, and one network check with none at all. */
export function olderReport(): Report {
  const base = prodRun();
  const runReport = {
    ...base,
    checks: base.checks.map((item) => {
      if (item.id === 'network.token-endpoint') return { ...item, evidence: { timings: { dnsMs: 4, tcpMs: 20, tlsMs: 40, httpMs: 55 } } };
      if (item.id === 'jwks.fetch') return { ...item, evidence: { status: 200, timings: { headersMs: 70, totalMs: 90 } } };
      return item;
    }),
  };
  return report([runReport]);
}

/** A migration review: the go-live day is in migration.lifetimes' evidence. */
export function goLiveReport(): Report {
  return report(
    [
      run(CONFIG, [
        check('signing.certificate', 'pass', {
          evidence: { subject: 'CN=acme-signing', issuer: 'CN=Thredd Issuing CA', notBefore: '2026-01-01T00:00:00.000Z', notAfter: '2026-12-10T00:00:00.000Z' },
        }),
        check('migration.lifetimes', 'fail', {
          message: 'signing.certificate expires before go-live.',
          evidence: { goLive: '2026-12-15', expiryWarningDays: 30, certificates: { 'signing.certificate CN=acme-signing': 'valid 2026-01-01 to 2026-12-10' } },
        }),
      ]),
    ],
    { command: 'diff' },
  );
}
