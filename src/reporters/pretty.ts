import { styleText } from 'node:util';
import type { Status } from '../pipeline/check.js';
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

type Format = Parameters<typeof styleText>[0];

const SYMBOLS: Record<Status, string> = { pass: '✔', warn: '⚠', fail: '✖', skip: '↓' };
const COLOURS: Record<Status, Format> = { pass: 'green', warn: 'yellow', fail: 'red', skip: 'gray' };
const INDENT = '  ';
const DETAIL_INDENT = '      ';

type Paint = (format: Format, text: string) => string;

function painter(color: boolean): Paint {
  // The caller decided about colour (TTY, NO_COLOR, CI): do not let styleText second-guess it.
  return color ? (format, text) => styleText(format, text, { validateStream: false }) : (_format, text) => text;
}

function lines(text: string): string[] {
  return neutraliseControls(text).split('\n');
}

function renderCheck(check: CheckReport, run: RunReport, idWidth: number, paint: Paint): string[] {
  const colour = COLOURS[check.status];
  const head = [
    `${paint(colour, SYMBOLS[check.status])} ${paint('bold', check.id)}${' '.repeat(idWidth - check.id.length)}`,
    neutraliseControls(check.title),
    paint('dim', formatDuration(check.durationMs)),
  ];
  if (isInternalError(check)) head.push(paint(['bold', 'magenta'], 'internal error'));
  const out = [`${INDENT}${head.join('  ')}`];
  if (check.status === 'pass') return out;
  if (check.message) out.push(...lines(check.message).map((line) => `${DETAIL_INDENT}${line}`));
  if (check.hint) {
    const [first = '', ...rest] = lines(check.hint);
    out.push(`${DETAIL_INDENT}${paint('cyan', '→')} ${first}`, ...rest.map((line) => `${DETAIL_INDENT}  ${line}`));
  }
  out.push(...evidenceFacts(check, run.config.path).map((fact) => `${DETAIL_INDENT}${paint('dim', fact)}`));
  return out;
}

/** Skipped checks, one entry per reason, so a config error does not bury the screen in repeats. */
function renderSkipped(skipped: readonly CheckReport[], paint: Paint): string[] {
  const groups = new Map<string, string[]>();
  for (const check of skipped) {
    const reason = check.message ?? 'skipped';
    groups.set(reason, [...(groups.get(reason) ?? []), check.id]);
  }
  return [...groups].flatMap(([reason, ids]) => [
    `${INDENT}${paint(COLOURS.skip, SYMBOLS.skip)} ${paint('gray', ids.join(', '))}`,
    ...lines(reason).map((line) => `${DETAIL_INDENT}${paint('gray', line)}`),
  ]);
}

function renderRun(run: RunReport, paint: Paint): string[] {
  const shown = run.checks.filter((check) => check.status !== 'skip');
  const skipped = run.checks.filter((check) => check.status === 'skip');
  const idWidth = Math.max(0, ...shown.map((check) => check.id.length));
  const status = run.status === 'pass' ? paint('green', 'ready') : paint('red', 'not ready');
  return [
    `${paint(['bold', 'underline'], neutraliseControls(runTitle(run)))}  ${describeRun(run)}  ${status}`,
    ...shown.flatMap((check) => renderCheck(check, run, idWidth, paint)),
    ...renderSkipped(skipped, paint),
    `${INDENT}${formatSummary(run.summary)}`,
  ];
}

/** For a terminal: the plain content with colour and status symbols. */
export function pretty(report: Report, options: ReporterOptions): string {
  const paint = painter(options.color);
  const out = [paint('dim', `golive ${report.tool.version} ${report.command} (${describeHost(report)})`), ''];
  for (const run of report.runs) out.push(...renderRun(run, paint), '');
  if (report.runs.length > 1) out.push(paint('bold', `All runs: ${formatSummary(report.summary)}`), '');
  const steps = nextSteps(report);
  if (steps.length > 0) {
    out.push(paint('bold', 'What to do next'));
    const multiRun = report.runs.length > 1;
    steps.forEach((step, index) => {
      const number = `${index + 1}.`;
      const where = multiRun ? ` ${paint('dim', `(${step.paths.join(', ')})`)}` : '';
      const marker = paint(step.blocking ? 'red' : 'yellow', SYMBOLS[step.status]);
      const [first = '', ...rest] = lines(step.advice);
      out.push(`${INDENT}${number} ${marker} ${paint('bold', step.id)}${where}`, `${INDENT}${' '.repeat(number.length)} ${first}`);
      out.push(...rest.map((line) => `${INDENT}${' '.repeat(number.length)} ${line}`));
    });
    out.push('');
  }
  const ready = report.status === 'pass';
  out.push(paint(['bold', ready ? 'green' : 'red'], `${ready ? SYMBOLS.pass : SYMBOLS.fail} ${verdict(report)}`));
  return `${out.join('\n')}\n`;
}
