import { describe, expect, it } from 'vitest';
import { plain } from '../../src/reporters/plain.js';
import { pretty } from '../../src/reporters/pretty.js';
import { hostileReport, mixedReport, passingReport, strictReport } from '../support/report-fixtures.js';

// ESC and CSI, with or without the parameters of a colour sequence.
const ANSI = /[\u001b\u009b]/;

const FIXTURES = [
  ['mixed', mixedReport],
  ['passing', passingReport],
  ['strict', strictReport],
  ['hostile', hostileReport],
] as const;

describe('plain reporter', () => {
  it.each(FIXTURES)('writes no ANSI codes for the %s report', (_name, build) => {
    expect(plain(build(), { color: true })).not.toMatch(ANSI);
  });

  it('shows each check on one line, and message, hint and evidence below a non-pass', () => {
    const lines = plain(mixedReport(), { color: false }).split('\n');
    expect(lines).toContain('  PASS  config.parse            Config file parses  (3 ms)');
    const failed = lines.indexOf('  FAIL  jwks.signing-key        Signing key registered in JWKS  (3 ms)');
    expect(failed).toBeGreaterThan(0);
    expect(lines.slice(failed + 1, failed + 5)).toEqual([
      '        The signing key (thumbprint q2Xy0dGk…Bw0E) is not in the JWKS; it holds kids a1, b2.',
      '        hint: Register the signing certificate in the portal, or point signing.privateKey at the registered key.',
      '        thumbprint: q2Xy0dGk3s9Vb8nWc1Jm4RtP7eLhA6uZoF5iK2yBw0E',
      '        jwksKids: a1, b2',
    ]);
    expect(lines).toContain('  ERROR network.api-endpoint    API host reachable over TLS  (7 ms)');
    expect(lines).toContain('        at config/prod.yaml:21:9 (endpoints.jwks)');
  });

  it('summarises, lists failed hints before warnings, and ends with the verdict', () => {
    const output = plain(mixedReport(), { color: false });
    expect(output).toContain('  8 passed, 2 warnings, 3 failed, 6 skipped\n');
    const next = output.slice(output.indexOf('What to do next:'));
    expect(next.indexOf('1. jwks.signing-key (config/prod.yaml)')).toBeGreaterThan(0);
    expect(next.indexOf('4. config.schema (config/uat.yaml)')).toBeGreaterThan(next.indexOf('3. token.request'));
    expect(next).toContain('5. config.consistency (config/prod.yaml, warning)');
    expect(output.trimEnd().split('\n').at(-1)).toBe(
      'Not ready: 4 checks failed (1 of them an internal error in golive: rerun with --debug and report it)',
    );
    expect(plain(passingReport(), { color: false }).trimEnd().split('\n').at(-1)).toBe('Ready for go-live');
    expect(plain(strictReport(), { color: false }).trimEnd().split('\n').at(-1)).toBe('Not ready: 1 warning under --strict');
  });

  it('flattens evidence objects one level and leaves deeper structures to the JSON report', async () => {
    const { check, report, run } = await import('../support/report-fixtures.js');
    const nested = report([
      run({ path: 'uat.yaml' }, [
        check('network.token-endpoint', 'fail', {
          message: 'm',
          hint: 'h',
          evidence: { serverCertificate: { issuer: 'CN=Proxy CA', sans: ['a', 'b'], chain: [{ subject: 'x' }] }, errors: [{ path: 'a' }] },
        }),
      ]),
    ]);
    const output = plain(nested, { color: false });
    expect(output).toContain('        serverCertificate.issuer: CN=Proxy CA\n');
    expect(output).toContain('        serverCertificate.sans: a, b\n');
    expect(output).toContain('        (2 more in the JSON report)\n');
    expect(output).not.toContain('{"');
  });
});

describe('pretty reporter', () => {
  it.each(FIXTURES)('writes no ANSI codes without colour for the %s report', (_name, build) => {
    expect(pretty(build(), { color: false })).not.toMatch(ANSI);
  });

  it('colours its output when asked', () => {
    expect(pretty(mixedReport(), { color: true })).toContain('\u001b[31m✖\u001b[39m');
  });

  it('never passes control characters from messages through to the terminal', () => {
    const output = pretty(hostileReport(), { color: true });
    const fromMessages = output.split('\n').filter((line) => line.includes('bad <tag'));
    expect(fromMessages.length).toBeGreaterThan(0);
    for (const line of fromMessages) expect(line.replace(/\u001b\[\d+m/g, '')).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });

  it('collapses skipped checks into one entry per reason', () => {
    const output = pretty(mixedReport(), { color: false });
    expect(output).toContain('  ↓ transport.key, transport.certificate, transport.keypair, jwks.transport-key\n');
    expect(output.match(/not applicable: tls connectivity/g)).toHaveLength(1);
  });
});

describe('verdict when checks did not run', () => {
  it('does not call an offline run ready for go-live', async () => {
    const { check, report, run } = await import('../support/report-fixtures.js');
    const offline = report([
      run({ path: 'uat.yaml' }, [
        check('jwks.fetch', 'skip', { message: '--offline: network checks not run' }),
        check('token.request', 'skip', { message: 'needs network.token-endpoint, which was skipped' }),
        check('transport.key', 'skip', { message: 'not applicable: TLS connectivity presents no client certificate' }),
      ]),
    ]);
    const text = plain(offline, { color: false });
    expect(text).toMatch(
      /No problems found, but 2 checks did not run \(--offline; a check they need did not run\): not yet proven ready for go-live/,
    );
    expect(text).not.toMatch(/Ready for go-live/);
  });

  it('still calls a run ready when only not-applicable checks were skipped', async () => {
    const { check, report, run } = await import('../support/report-fixtures.js');
    const tls = report([run({ path: 'uat.yaml' }, [check('transport.key', 'skip', { message: 'not applicable: tls' })])]);
    expect(plain(tls, { color: false })).toMatch(/Ready for go-live/);
  });
});
