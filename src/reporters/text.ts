import type { SkipReason, Status } from '../pipeline/check.js';
import { skipReasonOf } from '../report/skip.js';
import type { CheckReport, Report, RunReport, Summary } from '../report/types.js';

/**
 * Shared wording for the human-readable reporters (plain, pretty, markdown,
 * github), so every format says the same thing in the same words.
 */

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

export function formatSummary(summary: Summary): string {
  return [
    `${summary.pass} passed`,
    `${summary.warn} ${summary.warn === 1 ? 'warning' : 'warnings'}`,
    `${summary.fail} failed`,
    `${summary.skip} skipped`,
  ].join(', ');
}

/** What a run is about: its config, or for `golive diff` the UAT → Production pair. */
export function runTitle(run: RunReport): string {
  return run.pair ? `${run.pair.uat.path} → ${run.pair.production.path}` : run.config.path;
}

/** One line about the run's config: what a reader needs to know which setup was checked. */
export function describeRun(run: RunReport): string {
  const c = run.config;
  const facts = [
    c.environment && `environment ${c.environment}`,
    c.connectivity && `connectivity ${c.connectivity}`,
    c.authMethod && `auth ${c.authMethod}`,
    c.region !== undefined && `region ${c.region}`,
    c.profile && c.profile !== 'thredd' && `profile ${c.profile}`,
  ].filter((fact): fact is string => Boolean(fact));
  return facts.length > 0 ? facts.join(', ') : 'config not loaded';
}

export function describeHost(report: Report): string {
  const h = report.host;
  const skew = h.clockSkewMs === null ? 'clock skew unknown' : `clock skew ${h.clockSkewMs} ms`;
  return `Node ${h.node}, OpenSSL ${h.openssl}, ${h.platform}/${h.arch}, ${skew}`;
}

export function isInternalError(check: CheckReport): boolean {
  return check.status === 'fail' && check.internalError === true;
}

const SKIP_GROUPS: Record<SkipReason, string> = {
  'not-applicable': 'not applicable',
  offline: '--offline',
  'not-selected': 'not selected (--only, --skip)',
  'need-failed': 'a check they need did not run',
};

/** The reason group of a skipped check, e.g. "--offline". */
function skipGroup(check: CheckReport): string {
  const reason = skipReasonOf(check);
  return reason === undefined ? (check.message ?? 'skipped') : SKIP_GROUPS[reason];
}

/** Whether a check counts against the run: a failure, or a warning under --strict. */
export function isBlocking(check: CheckReport, strict: boolean): boolean {
  return check.status === 'fail' || (strict && check.status === 'warn');
}

/** "Ready for go-live" or "Not ready: N checks failed", with what made it so. */
export function verdict(report: Report): string {
  const { fail, warn } = report.summary;
  const internal = report.runs.flatMap((run) => run.checks).filter(isInternalError).length;
  if (report.status === 'pass') {
    const warnings = warn === 0 ? '' : `, with ${warn} ${warn === 1 ? 'warning' : 'warnings'} to fix soon`;
    // Only a run in which every applicable check ran can say "ready".
    const unproven = report.runs.flatMap((run) => run.checks).filter((check) => check.status === 'skip' && skipReasonOf(check) !== 'not-applicable');
    if (unproven.length === 0) return `Ready for go-live${warnings}`;
    const reasons = [...new Set(unproven.map(skipGroup))].join('; ');
    return `No problems found${warnings}, but ${unproven.length} ${unproven.length === 1 ? 'check' : 'checks'} did not run (${reasons}): not yet proven ready for go-live`;
  }
  const failed = `${fail} ${fail === 1 ? 'check' : 'checks'} failed`;
  const warned = `${warn} ${warn === 1 ? 'warning' : 'warnings'} under --strict`;
  const parts = report.strict && warn > 0 ? (fail > 0 ? [failed, warned] : [warned]) : [failed];
  let line = `Not ready: ${parts.join(', ')}`;
  if (internal > 0) {
    line += ` (${internal} of them ${internal === 1 ? 'an internal error' : 'internal errors'} in golive: rerun with --debug and report it)`;
  }
  return line;
}

export interface NextStep {
  id: string;
  status: Status;
  /** A failure, or a warning that --strict turned into one. */
  blocking: boolean;
  /** The hint, or the message when a check gave no hint. */
  advice: string;
  /** Config paths of the runs where this step applies. */
  paths: string[];
}

/**
 * What to do next: failed checks first (and warnings that --strict turned
 * into failures), then the other warnings, each in report order. The same
 * advice for the same check in several runs is listed once.
 */
export function nextSteps(report: Report): NextStep[] {
  const steps = new Map<string, NextStep>();
  // The paths of each step so far, as a set: a finding shared by many configs lists each once without a search per run.
  const listed = new Map<NextStep, Set<string>>();
  const rank = (check: CheckReport) => (isBlocking(check, report.strict) ? 0 : 1);
  const candidates = report.runs.flatMap((run) =>
    run.checks
      .filter((check) => check.status === 'fail' || check.status === 'warn')
      .map((check) => ({ run, check })),
  );
  const ordered = [...candidates].sort((a, b) => rank(a.check) - rank(b.check));
  for (const { run, check } of ordered) {
    const advice = check.hint || check.message || check.title;
    const key = `${check.id}\u0000${advice}`;
    const existing = steps.get(key);
    if (existing) {
      const paths = listed.get(existing)!;
      if (!paths.has(run.config.path)) {
        paths.add(run.config.path);
        existing.paths.push(run.config.path);
      }
    } else {
      const step: NextStep = { id: check.id, status: check.status, blocking: isBlocking(check, report.strict), advice, paths: [run.config.path] };
      steps.set(key, step);
      listed.set(step, new Set(step.paths));
    }
  }
  return [...steps.values()];
}

/**
 * Control characters could move the cursor or recolour a terminal when a
 * hostile server's error text is echoed; show them as escapes instead.
 * Line feeds and tabs stay (CR and CRLF become line feeds): multi-line
 * messages are laid out by the caller.
 */
export function neutraliseControls(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
}

const MAX_FACTS = 6;
const MAX_VALUE_LENGTH = 120;

function isScalar(value: unknown): value is string | number | boolean | null {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

function truncate(text: string, max: number): string {
  // By code point, so a cut never leaves half a surrogate pair.
  const chars = Array.from(text);
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text;
}

function formatValue(value: unknown): string | undefined {
  if (isScalar(value)) return String(value);
  if (Array.isArray(value) && value.every(isScalar)) return value.map(String).join(', ');
  // Deeper structures are for the JSON report, not a text line.
  return undefined;
}

/** Evidence as `key: value` pairs: scalars and lists of scalars, objects flattened one level. */
function flatEvidence(evidence: Record<string, unknown>): { pairs: [string, string][]; hidden: number } {
  const pairs: [string, string][] = [];
  let hidden = 0;
  for (const [key, value] of Object.entries(evidence)) {
    if (value === undefined) continue;
    const direct = formatValue(value);
    if (direct !== undefined) {
      pairs.push([key, direct]);
    } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [inner, innerValue] of Object.entries(value)) {
        const formatted = formatValue(innerValue);
        if (formatted !== undefined) pairs.push([`${key}.${inner}`, formatted]);
        else hidden++;
      }
    } else {
      hidden++;
    }
  }
  return { pairs, hidden };
}

export interface SourceLocation {
  path: string;
  line: number;
  column: number;
}

export function locationOf(check: CheckReport): SourceLocation | undefined {
  const location = check.evidence?.['location'];
  if (typeof location !== 'object' || location === null) return undefined;
  const { path, line, column } = location as Record<string, unknown>;
  if (typeof path !== 'string' || typeof line !== 'number' || typeof column !== 'number') return undefined;
  return { path, line, column };
}

/**
 * A few `key: value` facts from the evidence for text formats, one line each.
 * A config location is shown as `file:line:column (json.path)`.
 */
export function evidenceFacts(check: CheckReport, configPath: string): string[] {
  const evidence = check.evidence ?? {};
  const facts: string[] = [];
  const location = locationOf(check);
  if (location) {
    const where = `at ${configPath}:${location.line}:${location.column}${location.path ? ` (${location.path})` : ''}`;
    facts.push(neutraliseControls(where).replace(/\n/g, ' '));
  }
  const { location: _location, ...rest } = evidence;
  const { pairs, hidden } = flatEvidence(location ? rest : evidence);
  for (const [key, value] of pairs.slice(0, MAX_FACTS)) {
    const line = truncate(value.replace(/\s*[\r\n]+\s*/g, ' '), MAX_VALUE_LENGTH);
    facts.push(`${key}: ${neutraliseControls(line)}`);
  }
  const more = Math.max(0, pairs.length - MAX_FACTS) + hidden;
  if (more > 0) facts.push(`(${more} more in the JSON report)`);
  return facts;
}

/** The prefix of a check id: `jwks` for `jwks.signing-key`. */
export function checkGroup(id: string): string {
  const dot = id.indexOf('.');
  return dot === -1 ? id : id.slice(0, dot);
}
