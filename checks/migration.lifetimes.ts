import type { CertificateFacts } from '../src/credentials/types.js';
import { defineMigrationCheck } from '../src/migration/check.js';
import { findingsOutcome, type Finding } from '../src/migration/findings.js';
import { ROLES } from '../src/migration/material.js';
import { notApplicable } from '../src/pipeline/check.js';
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

function renewal(held: Held, prodFile: string): string {
  if (held.role === 'anchor') return `Replace ${held.field} in ${prodFile} with a current copy of the CA certificate.`;
  if (held.role === 'chain') return `Get the current intermediate certificates from the CA and replace the chain in ${held.file}.`;
  return `Have a new Production certificate issued for ${held.field}, register it in the portal, and point ${held.field} in ${prodFile} at it before go-live.`;
}

/** Where a certificate's validity fails or falls short of the go-live window. */
function lifetimeFinding(held: Held, goLive: number, now: number, warningDays: number, prodFile: string): Finding | undefined {
  const name = `${held.field} (${held.file})`;
  const base = { field: held.field, production: held.file };
  if (!held.facts) {
    return { ...base, severity: 'fail', message: `${name} was not read, so its lifetime is unknown: ${held.problem?.replace(/\.$/, '')}`, hint: `Run golive check --offline ${prodFile} for the full diagnosis.` };
  }
  const { subject, notBefore, notAfter } = held.facts;
  const [from, until] = [Date.parse(notBefore), Date.parse(notAfter)];
  const goLiveEnd = goLive + DAY_MS;
  const day = isoDate(goLive);
  if (until < now) {
    return { ...base, severity: 'fail', message: `${name} (${subject}) expired on ${isoDate(until)}`, hint: renewal(held, prodFile) };
  }
  if (until < goLiveEnd) {
    return { ...base, severity: 'fail', message: `${name} (${subject}) expires on ${isoDate(until)}, before the end of go-live day ${day}`, hint: renewal(held, prodFile) };
  }
  if (from > goLive) {
    return {
      ...base,
      severity: 'fail',
      message: `${name} (${subject}) is not valid until ${notBefore}, after go-live on ${day}`,
      hint: `Move go-live to ${isoDate(from)} or later, or have ${held.field} issued with an earlier start date.`,
    };
  }
  const daysAfter = Math.floor((until - goLiveEnd) / DAY_MS);
  if (daysAfter < warningDays) {
    return {
      ...base,
      severity: 'warn',
      message: `${name} (${subject}) expires on ${isoDate(until)}, ${daysAfter} day${daysAfter === 1 ? '' : 's'} after go-live on ${day}`,
      hint: `Renew it right after go-live at the latest: ${renewal(held, prodFile)}`,
    };
  }
  return undefined;
}

export default defineMigrationCheck({
  id: 'migration.lifetimes',
  title: 'Certificates cover go-live',
  needs: [migrationLoad],
  explain: {
    verifies:
      'Every certificate the Production config uses (signing and transport certificates, their intermediates, and `http.ca`) is valid on the go-live day (`--go-live YYYY-MM-DD`, default 30 days from today, as a whole UTC day): one that has expired, expires before the end of that day, or only starts after it fails; one that expires within `expiryWarningDays` (default 30) after go-live warns. Not applicable when the Production config uses no certificate.',
    causes: [
      'The Production certificate was issued long before go-live and expires soon after it.',
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
    return findingsOutcome(
      findings,
      { goLive: isoDate(ctx.goLive), expiryWarningDays: production.expiryWarningDays, certificates: lifetimes },
      `Every Production certificate is valid on go-live day ${isoDate(ctx.goLive)} and for at least ${production.expiryWarningDays} days after.`,
    );
  },
});
