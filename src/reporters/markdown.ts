import type { Status } from '../pipeline/check.js';
import type { CheckReport, Report, RunReport } from '../report/types.js';
import type { ReporterOptions } from './types.js';
import { describeHost, describeRun, runTitle, formatSummary, isInternalError, neutraliseControls, nextSteps, verdict } from './text.js';

const EMOJI: Record<Status, string> = { pass: '✅', warn: '⚠️', fail: '❌', skip: '⏭️' };

/**
 * Text shown verbatim inside Markdown: characters that would start markup,
 * an entity, an HTML tag or a table cell are backslash-escaped (an
 * underscore inside a word is not markup: `private_key_jwt` stays as it is);
 * line breaks become `<br>`.
 */
function inline(text: string): string {
  return neutraliseControls(text)
    .replace(/[\\`*[\]<>|~]|&(?=#?\w+;)|(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, (ch) => `\\${ch}`)
    .replace(/\n/g, '<br>');
}

function code(text: string): string {
  // Check ids and paths are plain, but a path may hold a backtick: then no code span.
  return text.includes('`') || /[\r\n]/.test(text) ? inline(text) : `\`${neutraliseControls(text)}\``;
}

function statusCell(check: CheckReport): string {
  return isInternalError(check) ? `${EMOJI.fail} internal error` : `${EMOJI[check.status]} ${check.status}`;
}

function messageCell(check: CheckReport): string {
  if (check.status === 'pass' || !check.message) return '';
  return inline(check.message);
}

function runSection(run: RunReport): string[] {
  const status = run.status === 'pass' ? `${EMOJI.pass} ready` : `${EMOJI.fail} not ready`;
  return [
    `### ${code(runTitle(run))}: ${status}`,
    '',
    `${inline(describeRun(run))}. ${formatSummary(run.summary)}.`,
    '',
    '| Status | Check | Title | Message |',
    '| --- | --- | --- | --- |',
    ...run.checks.map((check) => `| ${statusCell(check)} | ${code(check.id)} | ${inline(check.title)} | ${messageCell(check)} |`),
    '',
  ];
}

/** For `$GITHUB_STEP_SUMMARY` and support tickets. */
export function markdown(report: Report, _options: ReporterOptions): string {
  const ready = report.status === 'pass';
  const out = [
    `## golive: ${ready ? EMOJI.pass : EMOJI.fail} ${inline(verdict(report))}`,
    '',
    `golive ${inline(report.tool.version)} \`${report.command}\`, started ${report.startedAt}, ${inline(describeHost(report))}.`,
    '',
  ];
  for (const run of report.runs) out.push(...runSection(run));
  const steps = nextSteps(report);
  if (steps.length > 0) {
    out.push('### What to do next', '');
    const multiRun = report.runs.length > 1;
    steps.forEach((step, index) => {
      const notes = [...(multiRun ? step.paths.map(code) : []), ...(step.blocking ? [] : ['warning'])];
      const where = notes.length > 0 ? ` (${notes.join(', ')})` : '';
      out.push(`${index + 1}. ${EMOJI[step.status]} ${code(step.id)}${where}: ${inline(step.advice)}`);
    });
    out.push('');
  }
  return out.join('\n');
}
