import type { Status } from '../pipeline/check.js';
import type { CheckReport, Report, RunReport } from '../report/types.js';
import type { ReporterOptions } from './types.js';
import { describeHost, describeRun, formatDuration, formatSummary, isInternalError, neutraliseControls, nextSteps, runTitle, verdict } from './text.js';

/**
 * One self-contained HTML page: inline CSS and SVG, no script, nothing
 * fetched, so it opens offline and with JavaScript disabled. Every text
 * comes from the report and is escaped: messages and evidence hold what
 * servers said.
 */

const DAY_MS = 86_400_000;

export const PHASES = ['dns', 'connect', 'proxy', 'tls', 'sent', 'wait', 'body'] as const;
export type PhaseName = (typeof PHASES)[number];

const PHASE_COLOURS: Record<PhaseName, string> = {
  dns: '#0f8b8d',
  connect: '#f4a259',
  proxy: '#8e7dbe',
  tls: '#bc4b51',
  sent: '#5b8e7d',
  wait: '#3d5a80',
  body: '#e0b700',
};

const STATUS_WORDS: Record<Status, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', skip: 'SKIP' };

/** The checks whose evidence carries network timings. */
const NETWORK_CHECKS = ['network.token-endpoint', 'network.api-endpoint', 'jwks.fetch', 'token.request', 'probe.call'];

function escapeHtml(text: string): string {
  return neutraliseControls(text).replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** A number for an attribute or a length: finite, rounded, never text from the report. */
function num(value: number, digits = 2): string {
  return Number.isFinite(value) ? String(Number(value.toFixed(digits))) : '0';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const CSS = `
:root{color-scheme:light;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2330;background:#fff}
body{margin:0 auto;max-width:1180px;padding:1.5rem}
h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.2rem;margin:2rem 0 .4rem}h3{font-size:1rem;margin:1.2rem 0 .4rem}
.verdict{padding:.7rem 1rem;border-radius:6px;font-weight:600;border-left:6px solid}
.verdict.pass{background:#e8f6ec;border-color:#2e8540}.verdict.fail{background:#fdecea;border-color:#c62828}
.meta{color:#4a5366;font-size:.9rem}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;vertical-align:top;padding:.35rem .5rem;border-bottom:1px solid #e3e6ec}
th{background:#f4f6f9}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85rem}
pre{white-space:pre-wrap;word-break:break-word;background:#f6f8fa;padding:.5rem;border-radius:4px;margin:.3rem 0}
.status{font-weight:700;font-family:ui-monospace,monospace;white-space:nowrap}
.s-pass{color:#2e8540}.s-warn{color:#a05a00}.s-fail{color:#c62828}.s-skip{color:#6b7280}
.msg{white-space:pre-wrap}.hint{white-space:pre-wrap;color:#34495e}
.hint::before{content:"hint: ";font-weight:600}
details summary{cursor:pointer;color:#3d5a80}
.bar{position:relative;height:14px;background:#eef0f4;border-radius:3px;margin:.3rem 0}
.bar .valid{position:absolute;top:0;bottom:0;background:#7fb685;border-radius:3px}
.bar .valid.expiring{background:#e6b450}.bar .valid.expired{background:#e57373}
.bar .mark{position:absolute;top:-3px;bottom:-3px;width:2px;background:#1d2330}
.bar .mark.golive{background:#8e24aa}
.wf td.label{width:30%}.wf td.times{width:25%;color:#4a5366;font-size:.8rem}
.wf svg{display:block;width:100%;height:16px;background:#f4f6f9}
.legend span{display:inline-block;margin-right:1rem;font-size:.85rem}
.legend i{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;vertical-align:middle}
${PHASES.map((phase) => `.p-${phase}{fill:${PHASE_COLOURS[phase]};background:${PHASE_COLOURS[phase]}}`).join('')}
`;

function statusCell(check: CheckReport): string {
  const word = isInternalError(check) ? 'ERROR' : STATUS_WORDS[check.status];
  return `<td class="status s-${check.status}">${word}</td>`;
}

function evidenceBlock(check: CheckReport): string {
  if (!check.evidence || Object.keys(check.evidence).length === 0) return '';
  return `<details><summary>evidence</summary><pre>${escapeHtml(JSON.stringify(check.evidence, null, 2))}</pre></details>`;
}

function checkRow(check: CheckReport): string {
  const details = [
    check.message && check.status !== 'pass' ? `<div class="msg">${escapeHtml(check.message)}</div>` : '',
    check.hint ? `<div class="hint">${escapeHtml(check.hint)}</div>` : '',
    evidenceBlock(check),
  ].join('');
  return (
    `<tr class="check" data-status="${check.status}">${statusCell(check)}` +
    `<td><code>${escapeHtml(check.id)}</code></td><td>${escapeHtml(check.title)}</td>` +
    `<td>${details}</td><td>${escapeHtml(formatDuration(check.durationMs))}</td></tr>`
  );
}

interface Certificate {
  label: string;
  notBefore?: number;
  notAfter: number;
  issuer?: string;
}

function dateOf(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : time;
}

/** Certificates in a check's evidence: objects with a readable notAfter, at the top or one level down. */
function certificatesOf(check: CheckReport): Certificate[] {
  const evidence = check.evidence ?? {};
  const found: Certificate[] = [];
  const candidates: [string, unknown][] = [['', evidence], ...Object.entries(evidence)];
  for (const [key, value] of candidates) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (!isRecord(item)) continue;
      const notAfter = dateOf(item['notAfter']);
      if (notAfter === undefined) continue;
      const subject = typeof item['subject'] === 'string' ? item['subject'] : key || 'certificate';
      found.push({
        label: `${check.id}: ${subject}`,
        notBefore: dateOf(item['notBefore']),
        notAfter,
        ...(typeof item['issuer'] === 'string' && { issuer: item['issuer'] }),
      });
    }
  }
  // The migration review words each lifetime as "valid YYYY-MM-DD to YYYY-MM-DD".
  const lifetimes = evidence['certificates'];
  if (isRecord(lifetimes)) {
    for (const [label, text] of Object.entries(lifetimes)) {
      const match = typeof text === 'string' ? /^valid (\d{4}-\d{2}-\d{2}) to (\d{4}-\d{2}-\d{2})$/.exec(text) : null;
      const notAfter = dateOf(match?.[2]);
      if (match && notAfter !== undefined) found.push({ label: `${check.id}: ${label}`, notBefore: dateOf(match[1]), notAfter });
    }
  }
  return found;
}

/** The go-live day of a migration review, when the report holds one. */
export function goLiveOf(report: Report): number | undefined {
  for (const check of report.runs.flatMap((run) => run.checks)) {
    const value = check.evidence?.['goLive'];
    if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return dateOf(value);
  }
  return undefined;
}

const isoDay = (time: number) => new Date(time).toISOString().slice(0, 10);

function certificateSection(run: RunReport, today: number, goLive: number | undefined): string {
  const certificates = run.checks.flatMap(certificatesOf);
  if (certificates.length === 0) return '';
  const rows = certificates.map((certificate) => {
    const from = certificate.notBefore ?? Math.min(today, certificate.notAfter);
    const start = Math.min(from, today, goLive ?? today);
    const end = Math.max(certificate.notAfter, today, goLive ?? today);
    const span = Math.max(end - start, DAY_MS);
    const at = (time: number) => num(((time - start) / span) * 100);
    const daysLeft = Math.floor((certificate.notAfter - today) / DAY_MS);
    const state = daysLeft < 0 ? 'expired' : daysLeft < 30 ? 'expiring' : 'ok';
    const validity = `${certificate.notBefore === undefined ? 'valid' : `valid ${isoDay(certificate.notBefore)}`} to ${isoDay(certificate.notAfter)}`;
    const left = daysLeft < 0 ? `expired ${-daysLeft} days ago` : `${daysLeft} days left`;
    const goLiveText = goLive === undefined ? '' : `; go-live ${isoDay(goLive)}${certificate.notAfter < goLive + DAY_MS ? ' (expires before go-live)' : ''}`;
    const bar =
      `<div class="bar" role="img" aria-label="${escapeHtml(`${validity}, today ${isoDay(today)}${goLiveText}`)}">` +
      `<div class="valid ${state}" style="left:${at(from)}%;width:${num(((certificate.notAfter - from) / span) * 100)}%"></div>` +
      `<div class="mark today" style="left:${at(today)}%" title="today ${isoDay(today)}"></div>` +
      (goLive === undefined ? '' : `<div class="mark golive" style="left:${at(goLive)}%" title="go-live ${isoDay(goLive)}"></div>`) +
      '</div>';
    return (
      `<tr class="certificate"><td>${escapeHtml(certificate.label)}${certificate.issuer ? `<br><span class="meta">issuer ${escapeHtml(certificate.issuer)}</span>` : ''}</td>` +
      `<td>${bar}<span class="meta">${escapeHtml(`${validity}; ${left} (today ${isoDay(today)})${goLiveText}`)}</span></td></tr>`
    );
  });
  const key = `black line: today${goLive === undefined ? '' : '; purple line: go-live day'}`;
  return `<h3>Certificates</h3><p class="meta">${key}</p><table class="certificates"><tbody>${rows.join('')}</tbody></table>`;
}

interface Phase {
  name: PhaseName;
  ms: number;
}

interface TimelineRow {
  label: string;
  atMs: number;
  phases: Phase[];
  reused: boolean;
  /** Drawn from 0: an older report's timings, without the time they started. */
  unplaced: boolean;
}

function phasesOf(value: unknown): Phase[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((phase) =>
    isRecord(phase) && (PHASES as readonly unknown[]).includes(phase['name']) && typeof phase['ms'] === 'number' && Number.isFinite(phase['ms']) && phase['ms'] >= 0
      ? [{ name: phase['name'] as PhaseName, ms: phase['ms'] }]
      : [],
  );
}

/** The rows of one check: its timeline, or before timelines its `timings` from 0, or none. */
function timelineRows(check: CheckReport): TimelineRow[] | undefined {
  const evidence = check.evidence ?? {};
  const timeline = evidence['timeline'];
  if (Array.isArray(timeline)) {
    return timeline.filter(isRecord).map((entry) => ({
      label: `${check.id}: ${typeof entry['kind'] === 'string' ? `${entry['kind']} ` : ''}${typeof entry['label'] === 'string' ? entry['label'] : ''}`,
      atMs: typeof entry['atMs'] === 'number' && Number.isFinite(entry['atMs']) ? Math.max(0, entry['atMs']) : 0,
      phases: phasesOf(entry['phases']),
      reused: entry['reused'] === true,
      unplaced: false,
    }));
  }
  const timings = evidence['timings'];
  if (!isRecord(timings)) return undefined;
  const ms = (key: string) => (typeof timings[key] === 'number' && Number.isFinite(timings[key]) ? (timings[key] as number) : undefined);
  const phases: Phase[] = [];
  const add = (name: PhaseName, value: number | undefined) => {
    if (value !== undefined && value >= 0) phases.push({ name, ms: value });
  };
  if (ms('headersMs') !== undefined || ms('totalMs') !== undefined) {
    const headers = ms('headersMs') ?? 0;
    add('wait', headers);
    const total = ms('totalMs');
    if (total !== undefined) add('body', Math.max(0, total - headers));
  } else {
    add('dns', ms('dnsMs'));
    add('connect', ms('tcpMs'));
    add('tls', ms('tlsMs'));
    add('wait', ms('httpMs'));
  }
  if (phases.length === 0) return undefined;
  return [{ label: check.id, atMs: 0, phases, reused: false, unplaced: true }];
}

function waterfallRow(row: TimelineRow, scale: number): string {
  let at = row.atMs;
  const segments = row.phases.map((phase) => {
    const rect = `<rect class="p-${phase.name}" data-phase="${phase.name}" x="${num(at * scale)}" y="2" width="${num(Math.max(phase.ms * scale, 0.5))}" height="12"><title>${phase.name} ${num(phase.ms, 1)} ms</title></rect>`;
    at += phase.ms;
    return rect;
  });
  const total = row.phases.reduce((sum, phase) => sum + phase.ms, 0);
  const notes = [row.reused ? 'reused connection' : '', row.unplaced ? 'start unknown (older report)' : ''].filter(Boolean);
  const times = `at ${num(row.atMs, 1)} ms: ${row.phases.map((phase) => `${phase.name} ${num(phase.ms, 1)}`).join(', ') || 'no phases'}; total ${num(total, 1)} ms${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`;
  return (
    `<tr class="wf-row"><td class="label">${escapeHtml(row.label)}</td>` +
    `<td><svg viewBox="0 0 1000 16" preserveAspectRatio="none" role="img" aria-label="${escapeHtml(times)}">${segments.join('')}</svg></td>` +
    `<td class="times">${escapeHtml(times)}</td></tr>`
  );
}

function waterfallSection(run: RunReport, durationMs: number): string {
  const networkChecks = run.checks.filter((check) => NETWORK_CHECKS.includes(check.id) || check.evidence?.['timeline'] !== undefined);
  const rows: TimelineRow[] = [];
  const untimed: string[] = [];
  for (const check of networkChecks) {
    if (check.status === 'skip') continue;
    const found = timelineRows(check);
    if (found && found.length > 0) rows.push(...found);
    else untimed.push(check.id);
  }
  if (rows.length === 0 && untimed.length === 0) return '';
  // Placed rows by start, as a waterfall reads; rows without a start (older reports) keep report order after them.
  rows.sort((a, b) => Number(a.unplaced) - Number(b.unplaced) || (a.unplaced ? 0 : a.atMs - b.atMs));
  const end = Math.max(durationMs, ...rows.map((row) => row.atMs + row.phases.reduce((sum, phase) => sum + phase.ms, 0)), 1);
  const scale = 1000 / end;
  const legend = PHASES.map((phase) => `<span><i class="p-${phase}"></i>${phase}</span>`).join('');
  const table =
    rows.length === 0
      ? ''
      : `<p class="legend">${legend}</p><table class="wf"><thead><tr><th>request</th><th>0 … ${escapeHtml(formatDuration(end))} since the run started</th><th>ms</th></tr></thead>` +
        `<tbody>${rows.map((row) => waterfallRow(row, scale)).join('')}</tbody></table>`;
  const none = untimed.length === 0 ? '' : `<p class="meta">no timings: ${untimed.map((id) => `<code>${escapeHtml(id)}</code>`).join(', ')}</p>`;
  return `<h3>Timing waterfall</h3>${table}${none}`;
}

function runSection(run: RunReport, report: Report, goLive: number | undefined): string {
  const ready = run.status === 'pass';
  const today = Date.parse(report.startedAt);
  return (
    `<section class="run"><h2><code>${escapeHtml(runTitle(run))}</code>: <span class="s-${ready ? 'pass' : 'fail'}">${ready ? 'ready' : 'not ready'}</span></h2>` +
    `<p class="meta">${escapeHtml(`${describeRun(run)}. ${formatSummary(run.summary)}.`)}</p>` +
    `<table class="checks"><thead><tr><th>Status</th><th>Check</th><th>Title</th><th>Details</th><th>Time</th></tr></thead>` +
    `<tbody>${run.checks.map(checkRow).join('')}</tbody></table>` +
    (Number.isNaN(today) ? '' : certificateSection(run, today, goLive)) +
    waterfallSection(run, report.durationMs) +
    '</section>'
  );
}

function nextStepsSection(report: Report): string {
  const steps = nextSteps(report);
  if (steps.length === 0) return '';
  const multiRun = report.runs.length > 1;
  const items = steps.map((step) => {
    const notes = [...(multiRun ? step.paths : []), ...(step.blocking ? [] : ['warning'])];
    const where = notes.length > 0 ? ` (${notes.join(', ')})` : '';
    return `<li><span class="status s-${step.status}">${STATUS_WORDS[step.status]}</span> <code>${escapeHtml(step.id)}</code>${escapeHtml(where)}: <span class="msg">${escapeHtml(step.advice)}</span></li>`;
  });
  return `<h2>What to do next</h2><ol class="steps">${items.join('')}</ol>`;
}

/** For a person: one file to attach to a ticket or open offline, no script needed. */
export function html(report: Report, _options: ReporterOptions): string {
  const words = verdict(report);
  const goLive = goLiveOf(report);
  const body = [
    `<header><h1>golive ${escapeHtml(report.command)}</h1>`,
    `<p class="verdict ${report.status}" id="verdict">${escapeHtml(words)}</p>`,
    `<p class="meta">golive ${escapeHtml(report.tool.version)}, started ${escapeHtml(report.startedAt)}, took ${escapeHtml(formatDuration(report.durationMs))}; ${escapeHtml(describeHost(report))}.</p>`,
    `<p class="meta">${report.runs.length > 1 ? 'All runs: ' : ''}${escapeHtml(formatSummary(report.summary))}${report.strict ? ' (--strict: warnings fail the run)' : ''}${goLive === undefined ? '' : escapeHtml(`; go-live ${isoDay(goLive)}`)}.</p></header>`,
    `<main>${report.runs.map((run) => runSection(run, report, goLive)).join('')}${nextStepsSection(report)}</main>`,
  ].join('\n');
  return (
    '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    // A second line behind the escaping: the browser runs no script and loads nothing, whatever the page holds.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">\n` +
    `<title>golive ${escapeHtml(report.command)}: ${escapeHtml(words)}</title>\n<style>${CSS}</style>\n</head>\n<body>\n${body}\n</body>\n</html>\n`
  );
}
