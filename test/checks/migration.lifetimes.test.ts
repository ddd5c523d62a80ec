import { describe, expect, it } from 'vitest';
import check from '../../checks/migration.lifetimes.js';
import { startOfDay } from '../../src/migration/run.js';
import { credentialFiles, DAY_MS, generateCredentials, NOW, prodDocument, runScenario, secretDocument, uatDocument, type Scenario } from '../migration/support.js';
import { tempDir } from '../support/config-files.js';
import { daysFromNow, issue } from '../support/credentials.js';

const dir = tempDir('golive-migration-lifetimes-');
const files = credentialFiles(await generateCredentials());
const GO_LIVE = startOfDay(NOW + 30 * DAY_MS);
const goLiveDay = new Date(GO_LIVE).toISOString().slice(0, 10);

async function signingValid(notAfter: Date, notBefore?: Date) {
  const issued = await issue({ subject: 'CN=prod signing, O=Example Ltd', key: { kind: 'ec' }, keyUsage: ['digitalSignature'], notAfter, ...(notBefore && { notBefore }) });
  return { ...files, 'prod/signing.pem': issued.certPem, 'prod/signing.key': issued.keyPem };
}

/** A Production config trusting a proxy CA (http.ca) that expires at `notAfter`. */
async function withProxyCa(notAfter: Date, production: Record<string, unknown> = {}): Promise<Scenario> {
  const ca = await issue({ subject: 'CN=Example Proxy CA', isCa: true, key: { kind: 'ec' }, notAfter });
  return { uat: uatDocument(), production: { ...prodDocument(), ...production, http: { ca: 'proxy-ca.pem' } }, files: { ...files, 'proxy-ca.pem': ca.certPem } };
}

describe('migration.lifetimes', () => {
  it('passes certificates valid through go-live and well after, naming the go-live day', async () => {
    const result = await runScenario(dir, check, { uat: uatDocument(), production: prodDocument(), files });
    expect(result.status).toBe('pass');
    expect(result.message).toBe(`Every Production certificate is valid on go-live day ${goLiveDay} and for at least 60 days after.`);
    expect(result.evidence).toMatchObject({ goLive: goLiveDay, expiryWarningDays: 60, renewalNoticeDays: 60 });
    expect(Object.keys(result.evidence?.certificates as object)).toEqual([
      'signing.certificate CN=prod signing, O=Example Ltd',
      'transport.certificate CN=prod transport, O=Example Ltd',
    ]);
  });

  it('is not applicable to a Production config without certificates', async () => {
    const result = await runScenario(dir, check, { uat: secretDocument('uat'), production: secretDocument('production') });
    expect(result.status).toBe('skip');
    expect(result.message).toMatch(/^not applicable: the Production config uses no certificate/);
  });

  const cases: { name: string; scenario: () => Promise<Scenario>; status: 'fail' | 'warn'; code: string; field: string; message: RegExp; hint: RegExp }[] = [
    {
      name: 'a certificate expiring before go-live',
      code: 'expires-before-go-live',
      scenario: async () => ({ uat: uatDocument(), production: prodDocument(), files: await signingValid(daysFromNow(10)) }),
      status: 'fail',
      field: 'signing.certificate',
      message: new RegExp(`^signing\\.certificate \\(prod/signing\\.pem\\) \\(CN=prod signing, O=Example Ltd\\) expires on \\d{4}-\\d{2}-\\d{2}, before the end of go-live day ${goLiveDay}\\.$`),
      hint: /Have a new Production certificate issued for signing\.certificate, register it in the portal/,
    },
    {
      name: 'a certificate that has already expired',
      code: 'expired',
      scenario: async () => ({ uat: uatDocument(), production: prodDocument(), files: await signingValid(daysFromNow(-2), daysFromNow(-100)) }),
      status: 'fail',
      field: 'signing.certificate',
      message: /^signing\.certificate \(prod\/signing\.pem\) \(CN=prod signing, O=Example Ltd\) expired on \d{4}-\d{2}-\d{2}\.$/,
      hint: /Have a new Production certificate issued/,
    },
    {
      name: 'a certificate valid only from after go-live',
      code: 'starts-after-go-live',
      scenario: async () => ({ uat: uatDocument(), production: prodDocument(), files: await signingValid(daysFromNow(400), daysFromNow(45)) }),
      status: 'fail',
      field: 'signing.certificate',
      message: new RegExp(`is not valid until \\S+, after go-live on ${goLiveDay}\\.$`),
      hint: /^Move go-live to \d{4}-\d{2}-\d{2} or later, or have signing\.certificate issued with an earlier start date\.$/,
    },
    {
      name: 'a certificate expiring within Thredd’s 60-day renewal notice after go-live',
      code: 'expires-within-renewal-notice',
      scenario: async () => ({ uat: uatDocument(), production: prodDocument(), files: await signingValid(daysFromNow(80)) }),
      status: 'fail',
      field: 'signing.certificate',
      message: new RegExp(
        `^signing\\.certificate \\(prod/signing\\.pem\\) \\(CN=prod signing, O=Example Ltd\\) expires on \\d{4}-\\d{2}-\\d{2}, 4[89] days after go-live on ${goLiveDay}: ` +
          'inside the 60 days before expiry in which Thredd already asks for its renewal\\.$',
      ),
      hint: /^Go live on a certificate Thredd is not already asking you to renew\. Have a new Production certificate issued for signing\.certificate/,
    },
    {
      name: 'a certificate expiring past the renewal notice but within a longer expiryWarningDays',
      code: 'expires-soon-after-go-live',
      scenario: async () => ({ uat: uatDocument(), production: { ...prodDocument(), expiryWarningDays: 90 }, files: await signingValid(daysFromNow(110)) }),
      status: 'warn',
      field: 'signing.certificate',
      message: new RegExp(`expires on \\d{4}-\\d{2}-\\d{2}, 7[89] days after go-live on ${goLiveDay}\\.$`),
      hint: /^Renew it right after go-live at the latest/,
    },
    {
      name: 'an http.ca certificate expiring within expiryWarningDays after go-live (Thredd’s notice is for its own certificates)',
      code: 'expires-soon-after-go-live',
      scenario: () => withProxyCa(daysFromNow(50)),
      status: 'warn',
      field: 'http.ca',
      message: /^http\.ca \(proxy-ca\.pem\) \(CN=Example Proxy CA\) expires on \d{4}-\d{2}-\d{2}, 1[89] days after go-live/,
      hint: /^Renew it right after go-live at the latest: Replace http\.ca in prod\.yaml/,
    },
    {
      name: 'a later --go-live date that a certificate no longer covers',
      code: 'expires-before-go-live',
      scenario: async () => ({ uat: uatDocument(), production: prodDocument(), files, goLive: startOfDay(NOW + 400 * DAY_MS) }),
      status: 'fail',
      field: 'signing.certificate',
      message: /before the end of go-live day/,
      hint: /Have a new Production certificate issued/,
    },
    {
      name: 'an http.ca certificate expiring before go-live',
      code: 'expires-before-go-live',
      scenario: () => withProxyCa(daysFromNow(5)),
      status: 'fail',
      field: 'http.ca',
      message: /^http\.ca \(proxy-ca\.pem\) \(CN=Example Proxy CA\) expires on/,
      hint: /^Replace http\.ca in prod\.yaml with a current copy of the CA certificate\.$/,
    },
    {
      name: 'a certificate file that does not load',
      code: 'certificate-not-read',
      scenario: async () => ({ uat: uatDocument(), production: prodDocument(), files: { ...files, 'prod/transport.pem': 'garbage' } }),
      status: 'fail',
      field: 'transport.certificate',
      message: /^transport\.certificate \(prod\/transport\.pem\) was not read, so its lifetime is unknown: /,
      hint: /golive check --offline prod\.yaml/,
    },
  ];

  it.each(cases)('$status for $name', async ({ scenario, status, code, field, message, hint }) => {
    const result = await runScenario(dir, check, await scenario());
    expect(result).toMatchObject({ status, code });
    expect(result.message).toMatch(message);
    expect(result.hint).toMatch(hint);
    expect(result.evidence?.findings).toEqual(expect.arrayContaining([expect.objectContaining({ severity: status, code, field })]));
  });

  it('uses the Production expiryWarningDays for the warning window, never shorter than the renewal notice for Thredd’s certificates', async () => {
    const shortWindow = { ...prodDocument(), expiryWarningDays: 7 };
    const passed = await runScenario(dir, check, { uat: uatDocument(), production: shortWindow, files: await signingValid(daysFromNow(100)) });
    expect(passed.status).toBe('pass');
    expect(passed.message).toBe(`Every Production certificate is valid on go-live day ${goLiveDay} and for at least 60 days after.`);
    const withCa = await withProxyCa(daysFromNow(45), { expiryWarningDays: 7 });
    const anchored = await runScenario(dir, check, { ...withCa, files: { ...withCa.files, ...(await signingValid(daysFromNow(100))) } });
    expect(anchored.message).toBe(`Every Production certificate is valid on go-live day ${goLiveDay} and for at least 60 days after (7 for http.ca).`);
    const failed = await runScenario(dir, check, { uat: uatDocument(), production: shortWindow, files: await signingValid(daysFromNow(45)) });
    expect(failed).toMatchObject({ status: 'fail', code: 'expires-within-renewal-notice' });
  });
});
