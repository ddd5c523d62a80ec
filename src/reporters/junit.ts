import type { CheckReport, Report, RunReport } from '../report/types.js';
import type { ReporterOptions } from './types.js';
import { checkGroup, describeHost, evidenceFacts, isInternalError, neutraliseControls } from './text.js';

/**
 * XML 1.0 cannot carry most control characters, lone surrogates or
 * U+FFFE/U+FFFF even as character references: show them as `\uXXXX`.
 */
function xmlSafe(text: string): string {
  return neutraliseControls(text).replace(
    /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|[\uFFFE\uFFFF]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
// Parsers turn raw tabs and line breaks in attribute values into spaces; references survive.
const ATTRIBUTE_ESCAPES: Record<string, string> = { ...TEXT_ESCAPES, '"': '&quot;', "'": '&apos;', '\n': '&#10;', '\t': '&#9;' };

function escapeText(text: string): string {
  return xmlSafe(text).replace(/[&<>]/g, (ch) => TEXT_ESCAPES[ch] ?? ch);
}

function escapeAttribute(text: string): string {
  return xmlSafe(text).replace(/[&<>"'\n\t]/g, (ch) => ATTRIBUTE_ESCAPES[ch] ?? ch);
}

function attributes(attrs: Record<string, string | number>): string {
  return Object.entries(attrs)
    .map(([name, value]) => ` ${name}="${escapeAttribute(String(value))}"`)
    .join('');
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

function countChecks(checks: readonly CheckReport[], strict: boolean): Counts {
  return {
    tests: checks.length,
    failures: checks.filter((c) => (c.status === 'fail' && !isInternalError(c)) || (strict && c.status === 'warn')).length,
    errors: checks.filter(isInternalError).length,
    skipped: checks.filter((c) => c.status === 'skip').length,
  };
}

function details(check: CheckReport, run: RunReport): string {
  const parts = [check.message, check.hint && `hint: ${check.hint}`].filter((part): part is string => Boolean(part));
  const facts = evidenceFacts(check, run.config.path);
  if (facts.length > 0) parts.push(facts.join('\n'));
  return parts.join('\n\n');
}

function testcase(check: CheckReport, run: RunReport, strict: boolean): string {
  const open = `    <testcase${attributes({ classname: `golive.${checkGroup(check.id)}`, name: check.id, time: seconds(check.durationMs) })}`;
  const message = check.message || check.title;
  const problem = { message, type: check.id };
  let body: string;
  if (isInternalError(check)) {
    body = `<error${attributes(problem)}>${escapeText(details(check, run))}</error>`;
  } else if (check.status === 'fail' || (strict && check.status === 'warn')) {
    body = `<failure${attributes(problem)}>${escapeText(details(check, run))}</failure>`;
  } else if (check.status === 'skip') {
    body = `<skipped${attributes({ message })}/>`;
  } else if (check.status === 'warn') {
    body = `<system-out>${escapeText(`warning: ${details(check, run)}`)}</system-out>`;
  } else {
    return `${open}/>`;
  }
  return `${open}>\n      ${body}\n    </testcase>`;
}

function properties(run: RunReport, report: Report): string[] {
  const { endpoints, ...config } = run.config;
  const entries: Array<[string, unknown]> = [
    ...Object.entries(config).filter(([name]) => name !== 'path'),
    ...Object.entries(endpoints ?? {}).map(([name, url]): [string, unknown] => [`endpoints.${name}`, url]),
    ['golive.version', report.tool.version],
    ['host', describeHost(report)],
  ];
  const rows = entries
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `      <property${attributes({ name, value: String(value) })}/>`);
  return ['    <properties>', ...rows, '    </properties>'];
}

function testsuite(run: RunReport, report: Report): string[] {
  const counts = countChecks(run.checks, report.strict);
  // Checks run concurrently: a suite's time is the work done, the root's is the wall clock.
  const time = run.checks.reduce((sum, check) => sum + check.durationMs, 0);
  return [
    `  <testsuite${attributes({ name: run.config.path, ...counts, time: seconds(time), timestamp: report.startedAt })}>`,
    ...properties(run, report),
    ...run.checks.map((check) => testcase(check, run, report.strict)),
    '  </testsuite>',
  ];
}

/** JUnit XML for CI test views: one suite per config, one test case per check. */
export function junit(report: Report, _options: ReporterOptions): string {
  const counts = countChecks(report.runs.flatMap((run) => run.checks), report.strict);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attributes({ name: 'golive', ...counts, time: seconds(report.durationMs), timestamp: report.startedAt })}>`,
    ...report.runs.flatMap((run) => testsuite(run, report)),
    '</testsuites>',
    '',
  ].join('\n');
}
