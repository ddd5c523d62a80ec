import path from 'node:path';
import validate from '../src/generated/config-validator.js';
import { defineCheck, pass } from '../src/pipeline/check.js';
import { findingsOf, type FindingText } from '../src/pipeline/findings.js';
import { describeSchemaErrors, type SchemaProblem, type SchemaProblemCode } from '../src/config/schema-errors.js';
import configParse from './config.parse.js';

/** Every schema problem of one config, in file order. */
interface Problems {
  /** The config file's name. */
  file: string;
  problems: readonly [SchemaProblem, ...SchemaProblem[]];
}

const sentence = (text: string): string => (/[.?!]$/.test(text) ? text : `${text}.`);

const SCHEMA_POINTER = '`golive schema config` prints every allowed key and value.';

/**
 * One problem alone is one sentence with its fix as the hint; several are
 * one line each, every line with its line:column and its own fix.
 */
const listed: FindingText<Problems> = {
  message: ({ file, problems }) => {
    const at = (problem: SchemaProblem): string => (problem.line !== undefined ? `${file}:${problem.line}:${problem.column} ` : '');
    if (problems.length === 1) return sentence(`${at(problems[0])}${problems[0].message}`);
    const lines = problems.map((problem) => `${at(problem)}${sentence(problem.message)} ${sentence(problem.hint)}`);
    return [`${problems.length} problems in ${file}, one per line:`, ...lines].join('\n');
  },
  hint: ({ problems }) =>
    problems.length === 1 ? `${sentence(problems[0].hint)} ${SCHEMA_POINTER}` : `Fix each line as it says. ${SCHEMA_POINTER}`,
};

function findings() {
  return {
    'unknown-key': listed,
    'missing-field': listed,
    'not-allowed-value': listed,
    'wrong-type': listed,
    'wrong-format': listed,
    'empty-value': listed,
    'too-few-items': listed,
    'invalid-value': listed,
  } satisfies Record<SchemaProblemCode, FindingText<Problems>>;
}

const finding = findingsOf(findings);

export default defineCheck({
  id: 'config.schema',
  title: 'Config matches the schema',
  needs: [configParse],
  explain: {
    verifies:
      'The parsed config is valid against schemas/config.schema.json (`golive schema config`): required fields present, values of the right type and from the allowed set. Each error gives the JSON path, the line and column in the file, and a suggestion for a misspelt key.',
    causes: [
      'A misspelt or differently spelt key: `organizationId` for `organisationId`, `authmethod` or `auth_method` for `authMethod`, `client_id` for `client.id`.',
      'A value outside the allowed set: `environment: prod` (use `production`), `authMethod: client_secret_jwt` or `tls_client_auth` (not supported).',
      'The region written as a name (`region: EMEA`) instead of its number (0 Default, 1 EMEA, 2 APAC).',
      'A section nested in the wrong place, e.g. `signing` indented under `client`.',
      'A list given as a single value, e.g. `probe.expectStatus: 200` instead of `[200]`.',
    ],
    fixes: [
      'Apply the suggested key or value from the message; the JSON path names the field.',
      'Get completion and inline errors in your editor: keep the first line `# yaml-language-server: $schema=https://golive.dev/schemas/config.schema.json` (or `golive schema config > config.schema.json` and point at that file).',
      'Compare with a fresh starter: `golive init --force /tmp/golive.yaml`.',
    ],
    seeAlso: ['config.parse', 'config.references'],
  },
  run(_ctx, deps) {
    const parsed = deps['config.parse'];
    if (validate(parsed.data)) return pass(parsed);
    const [first, ...rest] = describeSchemaErrors(validate.errors ?? [], parsed);
    // Every ajv error is kept or folded into a kept problem, so an invalid document has at least one.
    if (first === undefined) throw new Error('the config failed the schema without a describable error');
    const problems = [first, ...rest] as const;
    return finding.fail(first.code, { file: path.basename(parsed.file), problems }, {
      errors: problems,
      ...(first.line !== undefined && { location: { path: first.path, line: first.line, column: first.column } }),
      ...(problems.length > 1 && { codes: problems.map((problem) => problem.code) }),
    });
  },
});
