import type { CheckReport, Report, RunReport } from '../report/types.js';

/*
 * What changed between two reports of the same configs (`golive watch`):
 * pure data, so the watch loop only prints it.
 */

/** A clock-skew change larger than this is worth a line. */
export const SKEW_JUMP_MS = 5_000;

/** The certificate checks whose evidence carries `daysLeft` inside the warning horizon. */
const CERTIFICATE_CHECKS = ['signing.certificate', 'transport.certificate'];

export type Change =
  | { kind: 'status'; config: string; id: string; from: CheckReport['status']; to: CheckReport['status']; message?: string }
  /** `daysLeft` is set when the certificate entered the horizon, absent when it left it (renewed). */
  | { kind: 'expiry'; config: string; id: string; daysLeft?: number; horizonDays?: number }
  | { kind: 'kids'; config: string; added: string[]; removed: string[] }
  | { kind: 'skew'; fromMs: number; toMs: number };

/** Every change from `prev` to `next`, runs matched by position (a watch checks the same configs each time). */
export function diffReports(prev: Report, next: Report): Change[] {
  const changes: Change[] = [];
  for (const [index, run] of next.runs.entries()) {
    const before = prev.runs[index];
    if (before) changes.push(...diffRuns(before, run));
  }
  const from = prev.host.clockSkewMs;
  const to = next.host.clockSkewMs;
  if (from !== null && to !== null && Math.abs(to - from) > SKEW_JUMP_MS) changes.push({ kind: 'skew', fromMs: from, toMs: to });
  return changes;
}

function diffRuns(prev: RunReport, next: RunReport): Change[] {
  const config = next.config.path;
  const changes: Change[] = [];
  const earlier = new Map(prev.checks.map((check) => [check.id, check]));
  for (const check of next.checks) {
    const before = earlier.get(check.id);
    if (!before) continue;
    if (before.status !== check.status) {
      changes.push({ kind: 'status', config, id: check.id, from: before.status, to: check.status, ...(check.message !== undefined && { message: check.message }) });
    }
    if (CERTIFICATE_CHECKS.includes(check.id)) {
      const was = daysLeftOf(before);
      const is = daysLeftOf(check);
      if ((was === undefined) !== (is === undefined) && certificateRead(before) && certificateRead(check)) {
        const horizonDays = numberAt(check.evidence, 'expiryWarningDays');
        changes.push({ kind: 'expiry', config, id: check.id, ...(is !== undefined && { daysLeft: is }), ...(horizonDays !== undefined && { horizonDays }) });
      }
    }
  }
  const was = kidsOf(prev);
  const is = kidsOf(next);
  if (was && is) {
    const added = is.filter((kid) => !was.includes(kid));
    const removed = was.filter((kid) => !is.includes(kid));
    if (added.length > 0 || removed.length > 0) changes.push({ kind: 'kids', config, added, removed });
  }
  return changes;
}

function numberAt(evidence: Record<string, unknown> | undefined, key: string): number | undefined {
  const value = evidence?.[key];
  return typeof value === 'number' ? value : undefined;
}

/** Days left, present in the evidence only inside the warning horizon (checks/credential-checks.ts). */
function daysLeftOf(check: CheckReport): number | undefined {
  return numberAt(check.evidence, 'daysLeft');
}

/** Whether the certificate was read and judged (a skip or a load failure says nothing about its horizon). */
function certificateRead(check: CheckReport): boolean {
  return (check.status === 'pass' || check.status === 'warn') && typeof check.evidence?.notAfter === 'string';
}

/** The kids the JWKS held (jwks.fetch, else jwks.signing-key's evidence); undefined when it was not read. */
function kidsOf(run: RunReport): string[] | undefined {
  for (const [id, key] of [['jwks.fetch', 'kids'], ['jwks.signing-key', 'jwksKids']] as const) {
    const kids = run.checks.find((check) => check.id === id)?.evidence?.[key];
    if (Array.isArray(kids)) return kids.map(String);
  }
  return undefined;
}

/** One change as a line (no newline), the config named when the watch has several. */
export function formatChange(change: Change, nameConfig: boolean): string {
  const where = nameConfig && change.kind !== 'skew' ? `${change.config}: ` : '';
  switch (change.kind) {
    case 'status':
      return `${where}${change.id} ${change.from} → ${change.to}${change.message ? `: ${change.message}` : ''}`;
    case 'expiry':
      return change.daysLeft === undefined
        ? `${where}${change.id}: the certificate is no longer within the expiry warning horizon`
        : `${where}${change.id}: ${change.daysLeft} day${change.daysLeft === 1 ? '' : 's'} left, now within the ${change.horizonDays ?? '?'}-day expiry warning horizon`;
    case 'kids':
      return `${where}JWKS kids:${change.added.length > 0 ? ` added ${change.added.join(', ')}` : ''}${change.removed.length > 0 ? `${change.added.length > 0 ? ';' : ''} removed ${change.removed.join(', ')}` : ''}`;
    case 'skew':
      return `clock skew ${seconds(change.fromMs)} → ${seconds(change.toMs)}`;
  }
}

function seconds(ms: number): string {
  return `${ms > 0 ? '+' : ''}${(ms / 1000).toFixed(1)} s`;
}
