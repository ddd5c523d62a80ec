import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe } from 'vitest';
import { parseConfigFile, parseConfigText } from '../../src/config/parse.js';
import { describeSchemaErrors } from '../../src/config/schema-errors.js';
import validate from '../../src/generated/config-validator.js';
import { protoName } from './support/arbitraries.js';
import { configText, type ConfigText } from './support/configs.js';
import { caseFolder, fuzzRoot, SPECIAL } from './support/files.js';
import { errorSignature, fuzzTarget, sizeBound, type Problem } from './support/harness.js';

/**
 * Config parsing (src/config/parse.ts) on arbitrary and mutated YAML and
 * JSON, then what config.schema does with a parsed document (validation and
 * its error descriptions, with "did you mean" for keys); and
 * parseConfigFile on files of every kind.
 *
 * Properties: parseConfigText and parseConfigFile return a result, never
 * throw, never hang, never turn slow (bracket bombs, alias bombs, huge
 * keys); a problem has a known kind and, where given, a line and column
 * inside the text; `locate` answers for any path; schema errors describe
 * themselves without throwing; a JSON text parses to what JSON.parse makes
 * of it; no prototype is touched.
 */

const KINDS = new Set(['not-found', 'is-directory', 'unreadable', 'empty', 'binary', 'not-a-file', 'too-large', 'too-deep', 'syntax']);
const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype).join(',');

const segment = fc.oneof(fc.string({ maxLength: 10 }), protoName, fc.nat({ max: 5 }), fc.constantFrom('client', 'secret', 'signing', 'scopes', 0, -1, 1e9));

interface TextCase {
  config: ConfigText;
  extension: '.yaml' | '.yml' | '.json' | '.JSON' | '';
  paths: (string | number)[][];
}

function lineCount(text: string): number {
  let lines = 1;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lines++;
  return lines + 1;
}

function checkPosition(where: string, line: unknown, column: unknown, text: string): Problem[] {
  const problems: Problem[] = [];
  if (line !== undefined && (!Number.isInteger(line) || (line as number) < 1 || (line as number) > lineCount(text))) {
    problems.push({ signature: `${where}: a line outside the text`, detail: String(line) });
  }
  if (column !== undefined && (!Number.isInteger(column) || (column as number) < 1)) problems.push({ signature: `${where}: a column that is not a column`, detail: String(column) });
  return problems;
}

function checkResult(result: ReturnType<typeof parseConfigText>, text: string, paths: readonly (readonly (string | number)[])[]): Problem[] {
  const problems: Problem[] = [];
  if (!result.ok) {
    if (!KINDS.has(result.problem.kind)) problems.push({ signature: `unknown problem kind ${result.problem.kind}` });
    if ('line' in result.problem) problems.push(...checkPosition('parse problem', result.problem.line, result.problem.column, text));
    return problems;
  }
  const { config } = result;
  if (typeof config.data === 'function') problems.push({ signature: 'the parsed data is a function' });
  for (const at of paths) {
    for (const key of [false, true]) {
      try {
        const location = config.locate(at, { key });
        if (location) problems.push(...checkPosition('locate', location.line, location.column, text));
      } catch (error) {
        problems.push({ signature: `locate() threw ${errorSignature(error)}`, detail: JSON.stringify(at) });
      }
    }
  }
  if (!validate(config.data)) {
    try {
      const described = describeSchemaErrors(validate.errors ?? [], config);
      for (const problem of described) {
        if (typeof problem.message !== 'string' || problem.message === '') problems.push({ signature: 'a schema problem without a message' });
        problems.push(...checkPosition('schema problem', problem.line, problem.column, text));
      }
    } catch (error) {
      problems.push({ signature: `describeSchemaErrors() threw ${errorSignature(error)}` });
    }
  }
  return problems;
}

fuzzTarget<TextCase>({
  name: 'parseConfigText',
  subject: 'parseConfigText() in src/config/parse.ts, then the config.schema errors (src/config/schema-errors.ts)',
  runs: 2000,
  slowMs: sizeBound(1000, 5, (input: TextCase) => input.config.text.length),
  arbitrary: fc.record({
    config: configText(200_000),
    extension: fc.constantFrom('.yaml' as const, '.yml' as const, '.json' as const, '.JSON' as const, '' as const),
    paths: fc.array(fc.array(segment, { maxLength: 4 }), { maxLength: 3 }),
  }),
  run({ config, extension, paths }) {
    // The extension decides the parser; a JSON text named .yaml is YAML (a superset) and the reverse a JSON error.
    const text = config.text;
    const result = parseConfigText(text, `/nonexistent/golive-fuzz/config${extension}`);
    const problems = checkResult(result, text, paths);
    if (Object.getOwnPropertyNames(Object.prototype).join(',') !== PROTOTYPE_KEYS || ({} as Record<string, unknown>)['polluted'] !== undefined) {
      problems.push({ signature: 'Object.prototype changed' });
    }
    return problems;
  },
});

fuzzTarget<{ value: unknown; pretty: boolean }>({
  name: 'parseConfigText-json',
  subject: 'parseConfigText() in src/config/parse.ts on valid JSON (against JSON.parse)',
  runs: 500,
  slowMs: 1000,
  arbitrary: fc.record({
    value: fc.oneof(fc.jsonValue({ maxDepth: 5 }), fc.dictionary(fc.oneof(fc.string(), protoName), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 })),
    pretty: fc.boolean(),
  }),
  run({ value, pretty }) {
    const text = JSON.stringify(value, null, pretty ? 2 : undefined);
    if (text.trim() === '' || text.includes('\u0000')) return [];
    const result = parseConfigText(text, '/nonexistent/golive-fuzz/config.json');
    if (!result.ok) return [{ signature: `valid JSON refused: ${result.problem.kind}`, detail: 'reason' in result.problem ? result.problem.reason : undefined }];
    const wanted = JSON.parse(text) as unknown;
    if (!isDeepStrictEqual(result.config.data, wanted)) {
      return [{ signature: 'valid JSON parses to other data than JSON.parse gives', detail: `${JSON.stringify(result.config.data)?.slice(0, 160)} vs ${text.slice(0, 160)}` }];
    }
    return [];
  },
});

type FileCase = { kind: 'text'; config: ConfigText; ext: '.yaml' | '.json' } | { kind: 'special'; name: string };

describe('parseConfigFile on files of every kind', () => {
  let root: string;
  let template: string;

  beforeAll(() => {
    root = fuzzRoot('parse');
    template = path.join(root, 'template');
    mkdirSync(path.join(template, 'dir.yaml'), { recursive: true });
    writeFileSync(path.join(template, 'ok.yaml'), 'region: 0\n');
    writeFileSync(path.join(template, 'big.yaml'), `a: ${'x'.repeat(2 * 1024 * 1024)}\n`);
    writeFileSync(path.join(template, 'exactly-limit.yaml'), `a: ${'x'.repeat(1024 * 1024 - 4)}\n`);
    symlinkSync('loop.yaml', path.join(template, 'loop.yaml'));
    symlinkSync('nowhere/x.yaml', path.join(template, 'dangling.yaml'));
    symlinkSync('ok.yaml', path.join(template, 'link.yaml'));
    symlinkSync('dir.yaml', path.join(template, 'dirlink.yaml'));
  });

  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  fuzzTarget<FileCase>({
    name: 'parseConfigFile',
    subject: 'parseConfigFile() in src/config/parse.ts',
    runs: 500,
    slowMs: sizeBound(2000, 5, (input: FileCase) => (input.kind === 'text' ? input.config.text.length : 2 * 1024 * 1024)),
    arbitrary: fc.oneof(
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('text' as const), config: configText(900_000), ext: fc.constantFrom('.yaml' as const, '.json' as const) }) },
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constant('special' as const),
          name: fc.constantFrom(SPECIAL.fifo, SPECIAL.device, 'dir.yaml', 'dir.yaml/', 'loop.yaml', 'dangling.yaml', 'link.yaml', 'dirlink.yaml', 'big.yaml', 'exactly-limit.yaml', 'missing.yaml', 'ok.yaml/x', ''),
        }),
      },
    ),
    hangContext: (input) => (input.kind === 'special' ? input.name : 'text'),
    async run(input, scope) {
      const folder = caseFolder(root, template, { fifo: input.kind === 'special' && input.name === SPECIAL.fifo, device: input.kind === 'special' && input.name === SPECIAL.device });
      scope.defer(() => folder.dispose());
      let file: string;
      let text = '';
      if (input.kind === 'text') {
        file = path.join(folder.dir, `config${input.ext}`);
        text = input.config.text;
        writeFileSync(file, text);
      } else {
        file = path.join(folder.dir, input.name);
      }
      const result = await parseConfigFile(file);
      return checkResult(result, text, []);
    },
  });
});
