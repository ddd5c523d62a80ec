import type * as Sarif from 'sarif';
import type { CheckReport, Report, RunReport } from '../report/types.js';
import type { ReporterOptions } from './types.js';
import { checkGroup, isBlocking, locationOf, neutraliseControls } from './text.js';

const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

/** `jwks.signing-key` → `JwksSigningKey`: SARIF wants a name apart from the id. */
function ruleName(id: string): string {
  return id
    .split(/[.-]/)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}

function rule(check: CheckReport, options: ReporterOptions): Sarif.ReportingDescriptor {
  const help = options.ruleHelp?.(check.id);
  return {
    id: check.id,
    name: ruleName(check.id),
    shortDescription: { text: neutraliseControls(check.title) },
    ...(help && {
      fullDescription: { text: help.description },
      help: { text: help.text, markdown: help.markdown },
    }),
    properties: { tags: ['golive', checkGroup(check.id)] },
  };
}

/** Lone surrogates cannot be percent-encoded: encodeURIComponent throws on them. */
function wellFormed(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/**
 * The config file as a URI reference: relative paths stay relative (GitHub
 * resolves them against the repository root), with forward slashes and each
 * segment percent-encoded, so a `:` cannot read as a scheme; an absolute
 * path becomes a file URI.
 */
export function artifactUri(configPath: string): string {
  const slashed = wellFormed(configPath).replace(/\\/g, '/');
  const drive = /^[A-Za-z]:\//.test(slashed);
  const encode = (segments: string[]) => segments.map((segment) => encodeURIComponent(segment)).join('/');
  if (drive) return `file:///${slashed.slice(0, 2)}/${encode(slashed.slice(3).split('/'))}`;
  if (slashed.startsWith('/')) return `file://${encode(slashed.split('/'))}`;
  return encode(slashed.replace(/^(\.\/)+/, '').split('/'));
}

function location(check: CheckReport, run: RunReport): Sarif.Location {
  const where = locationOf(check);
  return {
    physicalLocation: {
      artifactLocation: { uri: artifactUri(run.config.path) },
      ...(where && { region: { startLine: where.line, startColumn: where.column } }),
    },
  };
}

function resultOf(check: CheckReport, run: RunReport, ruleIndex: number, strict: boolean): Sarif.Result {
  const text = [check.message || check.title, check.hint].filter(Boolean).join(' — ');
  return {
    ruleId: check.id,
    ruleIndex,
    // As in the github format: a warning that --strict made blocking is an error.
    level: isBlocking(check, strict) ? 'error' : 'warning',
    message: { text: neutraliseControls(text) },
    locations: [location(check, run)],
    ...(check.internalError && { properties: { internalError: true } }),
  };
}

/**
 * SARIF 2.1.0 for GitHub code scanning: one result per failure and warning
 * (passes and skips are not findings), located at the config file, and at
 * its line and column when the finding has one.
 *
 * Every config of the golive run goes into ONE SARIF run: GitHub code
 * scanning rejects a file with several runs of the same tool and category
 * (since June 2025), and each result already names its own config file.
 */
export function sarif(report: Report, options: ReporterOptions): string {
  const rules: Sarif.ReportingDescriptor[] = [];
  const ruleIndex = new Map<string, number>();
  const results: Sarif.Result[] = [];
  for (const run of report.runs) {
    for (const check of run.checks) {
      if (check.status !== 'fail' && check.status !== 'warn') continue;
      let index = ruleIndex.get(check.id);
      if (index === undefined) {
        index = rules.push(rule(check, options)) - 1;
        ruleIndex.set(check.id, index);
      }
      results.push(resultOf(check, run, index, report.strict));
    }
  }
  const log: Sarif.Log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'golive', version: report.tool.version, rules } },
        results,
        properties: { command: report.command, status: report.status, strict: report.strict, startedAt: report.startedAt },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
