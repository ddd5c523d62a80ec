import type { CheckReport, Report, RunReport } from '../report/types.js';
import type { ReporterOptions } from './types.js';
import { formatSummary, isBlocking, locationOf, neutraliseControls, verdict } from './text.js';

// GitHub's workflow-command escaping (actions/toolkit, core/src/command.ts),
// after control characters are made visible: the log viewer honours ANSI colours.
function escapeData(text: string): string {
  return neutraliseControls(text)
    .replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function annotation(check: CheckReport, run: RunReport, report: Report): string | undefined {
  if (check.status !== 'fail' && check.status !== 'warn') return undefined;
  const command = isBlocking(check, report.strict) ? 'error' : 'warning';
  const properties: Array<[string, string | number]> = [];
  const location = locationOf(check);
  if (location) properties.push(['file', run.config.path], ['line', location.line], ['col', location.column]);
  properties.push(['title', check.id]);
  const text = [check.message || check.title, check.hint].filter(Boolean).join(' — ');
  // With several configs, an annotation without a file would not say which one it is about.
  const where = report.runs.length > 1 && !location ? `${run.config.path}: ` : '';
  const props = properties.map(([name, value]) => `${name}=${escapeProperty(String(value))}`).join(',');
  return `::${command} ${props}::${escapeData(where + text)}`;
}

/** GitHub Actions annotations for failures and warnings, then the verdict as a log line. */
export function github(report: Report, _options: ReporterOptions): string {
  const lines = report.runs.flatMap((run) =>
    run.checks.map((check) => annotation(check, run, report)).filter((line): line is string => line !== undefined),
  );
  return `${[...lines, `golive: ${formatSummary(report.summary)}`, verdict(report)].join('\n')}\n`;
}
