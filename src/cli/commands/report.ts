import path from 'node:path';
import type { ErrorObject } from 'ajv';
import reportSchema from '../../../schemas/report.schema.json' with { type: 'json' };
import { jsonTooDeepAt } from '../../config/nesting.js';
import { describeInputProblem, InputFileError, readInputFile, REPORT_FILE_LIMIT } from '../../files/input.js';
import { Redactor } from '../../redact.js';
import { exitCodeFor } from '../../report/build.js';
import type { Report } from '../../report/types.js';
import { validateReport } from '../../report/validate.js';
import { EXIT } from '../errors.js';
import { render } from '../render.js';
import type { ReportArgs } from '../spec.js';
import { isInteractive, type Io } from '../io.js';


/** A report nests about eight levels (evidence included); the schema validator and reporters recurse per level. */
const MAX_REPORT_NESTING = 256;
/** Schema errors named in the one-line reason. */
const ERRORS_SHOWN = 3;



/** A refused input file: one line on stderr, exit 2, no usage pointer. */
class BadReport extends Error {}

/** Names and values from the file are quoted as found, but short and without control characters. */
function quoted(text: string): string {
  const chars = Array.from(text.replace(/[\u0000-\u001F\u007F-\u009F\u2028\u2029]/g, '?'));
  return chars.length > 40 ? `${chars.slice(0, 39).join('')}…` : chars.join('');
}

function describeError(error: ErrorObject): string {
  const where = error.instancePath === '' ? '(top level)' : error.instancePath;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return `${where} has an unknown field "${quoted(String(params['additionalProperty']))}"`;
    case 'required':
      return `${where} lacks the field "${quoted(String(params['missingProperty']))}"`;
    case 'enum':
      return `${where} must be one of ${(params['allowedValues'] as unknown[]).map((value) => JSON.stringify(value)).join(', ')}`;
    case 'const':
      return `${where} must be ${JSON.stringify(params['allowedValue'])}`;
    default:
      return `${where} ${error.message ?? 'is invalid'}`;
  }
}

/** ajv reports a failed `$ref` branch and its own causes: show each place once, deepest first. */
function schemaProblems(errors: readonly ErrorObject[]): string[] {
  const lines = [...new Set(errors.map(describeError))];
  return lines.slice(0, ERRORS_SHOWN).concat(lines.length > ERRORS_SHOWN ? [`and ${lines.length - ERRORS_SHOWN} more`] : []);
}

function jsonPosition(text: string, error: Error): string {
  const explicit = /line (\d+) column (\d+)/.exec(error.message);
  if (explicit) return ` at line ${explicit[1]}, column ${explicit[2]}`;
  const offset = /position (\d+)/.exec(error.message);
  if (!offset) return '';
  const before = text.slice(0, Number(offset[1]));
  const line = before.split('\n').length;
  return ` at line ${line}, column ${Number(offset[1]) - before.lastIndexOf('\n')}`;
}

async function readReport(file: string, io: Io): Promise<Report> {
  const absolute = path.resolve(io.cwd, file);
  let text: string;
  try {
    text = (await readInputFile(absolute, { role: 'the report', limit: REPORT_FILE_LIMIT })).toString('utf8');
  } catch (error) {
    if (!(error instanceof InputFileError)) throw error;
    const { problem } = error;
    if (problem.kind === 'not-a-file' && problem.fileKind === 'folder') throw new BadReport(`${file} is a folder, not a report file`);
    throw new BadReport(`${file} ${describeInputProblem(problem)}`);
  }
  const source = text.replace(/^\uFEFF/, '');
  if (source.trim() === '') throw new BadReport(`${file} is empty, not a golive report`);
  const tooDeep = jsonTooDeepAt(source, MAX_REPORT_NESTING);
  if (tooDeep !== undefined) {
    throw new BadReport(`${file} is nested more than ${MAX_REPORT_NESTING} levels deep (at character ${tooDeep + 1}), so not a golive report`);
  }
  let data: unknown;
  try {
    data = JSON.parse(source);
  } catch (error) {
    // V8's message quotes the file's text, which is not ours to echo (it may be any file): the position only.
    throw new BadReport(`${file} is not JSON (syntax error${jsonPosition(source, error as Error)}), so not a golive report`);
  }
  const fields = data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : undefined;
  const tool = fields?.['tool'] as Record<string, unknown> | undefined;
  if (!fields || !('runs' in fields) || (typeof tool?.['name'] === 'string' && tool['name'] !== 'golive')) {
    throw new BadReport(`${file} is JSON but not a golive report (expected the output of golive check --json FILE)`);
  }
  const version = fields['schemaVersion'];
  if (version !== reportSchema.properties.schemaVersion.const) {
    const newer = typeof version === 'number' && version > reportSchema.properties.schemaVersion.const;
    throw new BadReport(
      `${file} has schemaVersion ${quoted(JSON.stringify(version) ?? 'missing')}; this golive reads schemaVersion ${reportSchema.properties.schemaVersion.const}` +
        (newer ? ': upgrade golive to read it' : ''),
    );
  }
  const errors = validateReport(data);
  if (errors) throw new BadReport(`${file} is not a valid golive report: ${schemaProblems(errors).join('; ')}`);
  return data as unknown as Report;
}

/** `golive report <report.json>`: a received report, shown as golive check would show it. */
export async function reportCommand(args: ReportArgs, io: Io): Promise<number> {
  const interactive = isInteractive(io);
  const format = args.format ?? (interactive ? 'pretty' : 'plain');
  const { file } = args;
  // The report should hold no secret, but it came from elsewhere: the pattern-based redaction still applies.
  const redactor = new Redactor();
  let report: Report;
  try {
    report = await readReport(file, io);
  } catch (error) {
    if (!(error instanceof BadReport)) throw error;
    io.stderr.write(`golive: ${redactor.text(error.message)}\n`);
    return EXIT.usage;
  }
  io.stdout.write(redactor.text(await render(format, report, format === 'pretty' && interactive)));
  return args['exit-code'] ? exitCodeFor(report) : EXIT.ready;
}
