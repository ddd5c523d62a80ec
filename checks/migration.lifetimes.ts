import type { CertificateFacts } from '../src/credentials/types.js';
import { defineMigrationCheck } from '../src/migration/check.js';
import { findingsOutcome, type Difference } from '../src/migration/findings.js';
import { ROLES } from '../src/migration/material.js';
import { THREDD } from '../src/profiles/thredd.js';
import { notApplicable } from '../src/pipeline/check.js';
import { findingsOf, type FindingTable } from '../src/pipeline/findings.js';
import migrationLoad from './migration.load.js';

const DAY_MS = 86_400_000;

interface Held {
  field: string;
  file: string;
  /** An intermediate or a trust anchor, rather than the client's own certificate. */
  role: 'client' | 'chain' | 'anchor';
  facts?: CertificateFacts;
  problem?: string;
}

const isoDate = (ms: number | string): string => new Date(ms).toISOString().slice(0, 10);

/** A certificate the Production config holds, named as messages name it. */
interface Lifetime {
  held: Held;
  prodFile: string;
  /** The go-live day, YYYY-MM-DD. */
  day: string;
}

/** A certificate that was read: its subject, and the dates a message names. */
interface Read extends Lifetime {
  subject: string;
  /** notAfter, YYYY-MM-DD. */
  until: string;
}

const named = ({ held, subject }: Read): string => `${held.field} (${held.file}) (${subject})`;

function renewal({ held, prodFile }: Lifetime): string {
  if (held.role === 'anchor') return `Replace ${held.field} in ${prodFile} with a current copy of the CA certificate.`;
  if (held.role === 'chain') return `Get the current intermediate certificates from the CA and replace the chain in ${held.file}.`;
  return `Have a new Production certificate issued for ${held.field}, register it in the portal, and point ${held.field} in ${prodFile} at it before go-live.`;
}

function findings() {
  return {
    'certificate-not-read': {
      message: ({ held }: Lifetime) => `${held.field} (${held.file}) was not read, so its lifetime is unknown: ${held.problem?.replace(/\.$/, '')}`,
      hint: ({ prodFile }: Lifetime) => `Run golive check --offline ${prodFile} for the full diagnosis.`,
    },
    expired: {
      message: (args: Read) => `${named(args)} expired on ${args.until}`,
      hint: renewal,
    },
    'expires-before-go-live': {
      message: (args: Read) => `${named(args)} expires on ${args.until}, before the end of go-live day ${args.day}`,
      hint: renewal,
    },
    'starts-after-go-live': {
      message: (args: Read & { notBefore: string }) => `${named(args)} is not valid until ${args.notBefore}, after go-live on ${args.day}`,
      hint: ({ held, notBefore }: Read & { notBefore: string }) =>
        `Move go-live to ${isoDate(notBefore)} or later, or have ${held.field} issued with an earlier start date.`,
    },
    'expires-within-renewal-notice': {
      message: (args: Read & { daysAfter: number }) =>
        `${named(args)} expires on ${args.until}, ${args.daysAfter} day${args.daysAfter === 1 ? '' : 's'} after go-live on ${args.day}: ` +
        `inside the ${THREDD.renewalNoticeDays} days before expiry in which Thredd already asks for its renewal`,
      hint: (args: Lifetime) => `Go live on a certificate Thredd is not already asking you to renew. ${renewal(args)}`,
    },
    'expires-soon-after-go-live': {
      message: (args: Read & { daysAfter: number }) =>
        `${named(args)} expires on ${args.until}, ${args.daysAfter} day${args.daysAfter === 1 ? '' : 's'} after go-live on ${args.day}`,
      hint: (args: Lifetime) => `Renew it right after go-live at the latest: ${renewal(args)}`,
    },
  } satisfies FindingTable;
}

const finding = findingsOf(findings);

/**
 * Where a certificate's validity fails or falls short of the go-live window:
 * a client certificate (or its chain) must outlast Thredd's renewal notice
 * after go-live; any certificate warns within `expiryWarningDays` after it.
 */
function lifetimeFinding(held: Held, goLive: number, now: number, warningDays: number, prodFile: string): Difference | undefined {
  const lifetime = { held, prodFile, day: isoDate(goLive) };
  const base = { field: held.field, production: held.file };
  if (!held.facts) return { ...base, severity: 'fail', ...finding.text('certificate-not-read', lifetime) };
  const { subject, notBefore, notAfter } = held.facts;
  const [from, until] = [Date.parse(notBefore), Date.parse(notAfter)];
  const read = { ...lifetime, subject, until: isoDate(until) };
  const goLiveEnd = goLive + DAY_MS;
  if (until < now) return { ...base, severity: 'fail', ...finding.text('expired', read) };
  if (until < goLiveEnd) return { ...base, severity: 'fail', ...finding.text('expires-before-go-live', read) };
  if (from > goLive) return { ...base, severity: 'fail', ...finding.text('starts-after-go-live', { ...read, notBefore }) };
  const daysAfter = Math.floor((until - goLiveEnd) / DAY_MS);
  if (held.role !== 'anchor' && daysAfter < THREDD.renewalNoticeDays) {
    return { ...base, severity: 'fail', ...finding.text('expires-within-renewal-notice', { ...read, daysAfter }) };
  }
  if (daysAfter < warningDays) return { ...base, severity: 'warn', ...finding.text('expires-soon-after-go-live', { ...read, daysAfter }) };
  return undefined;
}

export default defineMigrationCheck({
  id: 'migration.lifetimes',
  title: 'Certificates cover go-live',
  needs: [migrationLoad],
  explain: {
    verifies:
      `Every certificate the Production config uses (signing and transport certificates, their intermediates, and \`http.ca\`) is valid on the go-live day (\`--go-live YYYY-MM-DD\`, default 30 days from today, as a whole UTC day): one that has expired, expires before the end of that day, or only starts after it fails. A signing or transport certificate (or an intermediate) that expires within ${THREDD.renewalNoticeDays} days after go-live fails too: Thredd sends its renewal notice ${THREDD.renewalNoticeDays} days before expiry, so it would go live already due for renewal. Any certificate that expires within \`expiryWarningDays\` (default ${THREDD.renewalNoticeDays}) after go-live warns. Not applicable when the Production config uses no certificate.`,
    causes: [
      'The Production certificate was issued long before go-live and expires soon after it (Thredd issues certificates for 350 days).',
      'go-live moved later than planned while the certificates stayed the same.',
      'An intermediate or CA certificate in the file expires before the leaf certificate.',
    ],
    fixes: [
      'Renew the certificate before go-live, register the new one in the Production portal and point the config at it.',
      'Rerun with the real date: `golive diff uat.yaml prod.yaml --go-live 2026-12-01`.',
      'Show the dates: `openssl x509 -in prod-signing.pem -noout -dates`.',
    ],
    seeAlso: ['signing.certificate', 'transport.certificate', 'migration.credentials'],
  },
  run(ctx, deps) {
    const { production, loaded } = deps['migration.load'];
    const prodFile = ctx.configs.production.shown;
    const held: Held[] = [];
    for (const role of ROLES) {
      const facts = loaded.production.credentials[role];
      if (!facts) continue;
      const field = facts.certificateField;
      held.push({ field, file: facts.certificateFile, role: 'client', facts: facts.certificate, problem: facts.certificateProblem });
      held.push(...facts.chain.map((chain) => ({ field, file: facts.certificateFile, role: 'chain' as const, facts: chain })));
    }
    const anchors = loaded.production.trustAnchors;
    if (anchors) {
      const [first, ...rest] = anchors.certificates;
      held.push({ field: 'http.ca', file: anchors.file, role: 'anchor', facts: first, problem: anchors.problem });
      held.push(...rest.map((facts) => ({ field: 'http.ca', file: anchors.file, role: 'anchor' as const, facts })));
    }
    if (held.length === 0) return notApplicable('the Production config uses no certificate (a client secret over TLS, no http.ca)');

    const now = ctx.now();
    const findings = held.flatMap((item) => lifetimeFinding(item, ctx.goLive, now, production.expiryWarningDays, prodFile) ?? []);
    const lifetimes = Object.fromEntries(
      held.flatMap((item) => (item.facts ? [[`${item.field} ${item.facts.subject}`, `valid ${isoDate(item.facts.notBefore)} to ${isoDate(item.facts.notAfter)}`]] : [])),
    );
    const warningDays = production.expiryWarningDays;
    const covered =
      warningDays >= THREDD.renewalNoticeDays
        ? `for at least ${warningDays} days after`
        : `for at least ${THREDD.renewalNoticeDays} days after${anchors ? ` (${warningDays} for http.ca)` : ''}`;
    return findingsOutcome(
      findings,
      { goLive: isoDate(ctx.goLive), expiryWarningDays: warningDays, renewalNoticeDays: THREDD.renewalNoticeDays, certificates: lifetimes },
      `Every Production certificate is valid on go-live day ${isoDate(ctx.goLive)} and ${covered}.`,
    );
  },
});
