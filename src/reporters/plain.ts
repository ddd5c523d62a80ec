import type { CheckReport, Report, RunReport } from '../report/types.js';
import type { ReporterOptions } from './types.js';
import {
  describeHost,
  describeRun,
  runTitle,
  evidenceFacts,
  formatDuration,
  formatSummary,
  isInternalError,
  neutraliseControls,
  nextSteps,
  verdict,
} from './text.js';

const LABELS = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', skip: 'SKIP' } as const;
const LABEL_WIDTH = 'ERROR'.length;
const INDENT = '  ';

function label(check: CheckReport): string {
  return (isInternalError(check) ? 'ERROR' : LABELS[check.status]).padEnd(LABEL_WIDTH);
}

/** Indents every line of a possibly multi-line text. */
function indented(text: string, indent: string): string[] {
  return neutraliseControls(text)
    .split('\n')
    .map((line) => `${indent}${line}`);
}

function renderCheck(check: CheckReport, run: RunReport, idWidth: number): string[] {
  const lines = [`${INDENT}${label(check)} ${check.id.padEnd(idWidth)}  ${neutraliseControls(check.title)}  (${formatDuration(check.durationMs)})`];
  if (check.status === 'pass') return lines;
  const detailIndent = INDENT + ' '.repeat(LABEL_WIDTH + 1);
  if (check.message) lines.push(...indented(check.message, detailIndent));
  if (check.hint) lines.push(...indented(`hint: ${check.hint}`, detailIndent));
  lines.push(...evidenceFacts(check, run.config.path).map((fact) => `${detailIndent}${fact}`));
  return lines;
}

function renderRun(run: RunReport): string[] {
  const idWidth = Math.max(0, ...run.checks.map((check) => check.id.length));
  return [
    `${neutraliseControls(runTitle(run))}: ${describeRun(run)}`,
    ...run.checks.flatMap((check) => renderCheck(check, run, idWidth)),
    `${INDENT}${formatSummary(run.summary)}`,
  ];
}

/** For CI logs and anything that is not a terminal: no colour, no symbols beyond ASCII labels. */
export function plain(report: Report, _options: ReporterOptions): string {
  const lines = [`golive ${report.tool.version} ${report.command} (${describeHost(report)})`, ''];
  for (const run of report.runs) lines.push(...renderRun(run), '');
  if (report.runs.length > 1) lines.push(`All runs: ${formatSummary(report.summary)}`, '');
  const steps = nextSteps(report);
  if (steps.length > 0) {
    lines.push('What to do next:');
    const multiRun = report.runs.length > 1;
    steps.forEach((step, index) => {
      const notes = [...(multiRun ? step.paths : []), ...(step.blocking ? [] : ['warning'])];
      const where = notes.length > 0 ? ` (${notes.join(', ')})` : '';
      const [first = '', ...rest] = indented(step.advice, '');
      const prefix = `${INDENT}${index + 1}. `;
      lines.push(`${prefix}${step.id}${where}: ${first}`, ...rest.map((line) => `${' '.repeat(prefix.length)}${line}`));
    });
    lines.push('');
  }
  lines.push(verdict(report));
  return `${lines.join('\n')}\n`;
}
