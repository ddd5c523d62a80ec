import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe } from 'vitest';
import { EnvFileError, readEnvFiles } from '../../src/config/env-files.js';
import { parseEnvFile } from '../../src/config/interpolate.js';
import { PROTO_NAMES, protoName, repeated, unicodeText } from './support/arbitraries.js';
import { CANARY, findCanaries } from './support/canaries.js';
import { caseFolder, fuzzRoot, SPECIAL } from './support/files.js';
import { errorSignature, fuzzTarget, sizeBound, type Problem } from './support/harness.js';

/**
 * The dotenv parser (parseEnvFile) on arbitrary text, and readEnvFiles on
 * arbitrary files (FIFOs, folders, devices, links, missing files).
 *
 * Properties: never throws (readEnvFiles rejects only with EnvFileError);
 * never hangs or turns quadratic; no prototype is touched; every
 * `NAME=value` line written plainly comes back as an own variable with its
 * value (later lines and later files winning), `__proto__` and
 * `constructor` included; every value of a secret-named variable is in
 * `secrets`; an error never quotes a value.
 */

/** DESIGN.md: variables whose names contain these are secret. */
const SECRET_NAME = /SECRET|PASSWORD|PASSPHRASE|TOKEN|KEY/i;

interface Assignment {
  name: string;
  value: string;
  style: 'plain' | 'export' | 'spaced' | 'double' | 'single';
}

type Line = { kind: 'assignment'; assignment: Assignment } | { kind: 'noise'; text: string };

const name = fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,10}$/) },
  { weight: 2, arbitrary: fc.constantFrom('THREDD_CLIENT_SECRET', 'FILE_SECRET', 'DB_PASSWORD', 'SIGNING_KEY_PASSPHRASE', 'API_TOKEN', 'api_key', 'THREDD_ORG_ID', 'A') },
  { weight: 2, arbitrary: protoName },
);

/** A value written so that the text after `=` is the value exactly (no quotes to strip, no comment, no escapes). */
const plainValue = fc
  .oneof(fc.string({ maxLength: 30 }), unicodeText, fc.constantFrom(...Object.values(CANARY), 'a=b', 'x#y', '${A}', '"', "'x", 'x"'))
  .map((value) => value.replace(/[\r\n\u2028\u2029\u0085]/g, '').trim())
  .filter((value) => !/\s#/.test(value) && !/^["']/.test(value) && !/\s/.test(value.slice(-1)) && value === value.trim());

const assignment: fc.Arbitrary<Assignment> = fc.record({
  name,
  value: plainValue,
  style: fc.constantFrom('plain' as const, 'export' as const, 'spaced' as const, 'double' as const, 'single' as const),
}).map((entry) => {
  // Quoted values keep what the quotes protect; drop what they cannot hold (the quote itself, escapes).
  if (entry.style === 'double') return { ...entry, value: entry.value.replace(/["\\]/g, '') };
  if (entry.style === 'single') return { ...entry, value: entry.value.replace(/'/g, '') };
  return entry;
});

function written({ name: key, value, style }: Assignment): string {
  switch (style) {
    case 'plain':
      return `${key}=${value}`;
    case 'export':
      return `export ${key}=${value}`;
    case 'spaced':
      return `  ${key} = ${value}  `;
    case 'double':
      return `${key}="${value}"`;
    case 'single':
      return `${key}='${value}'`;
  }
}

const noise = fc.oneof(
  fc.constantFrom('', '#', '# comment', '   ', 'export', 'export ', '=', '=x', '1A=x', 'A B=c', '\ufeffA=b', 'A', '"A"=b', '\t', '\\', 'A\\=b'),
  fc.string({ maxLength: 40 }),
  unicodeText,
);

const line: fc.Arbitrary<Line> = fc.oneof(
  { weight: 3, arbitrary: assignment.map((entry) => ({ kind: 'assignment' as const, assignment: entry })) },
  { weight: 2, arbitrary: noise.map((text) => ({ kind: 'noise' as const, text })) },
);

interface EnvText {
  lines: Line[];
  eol: '\n' | '\r\n' | '\r';
  /** Pathological text appended after the lines (a long line, many lines, a quadratic trigger). */
  tail: string;
}

const envText: fc.Arbitrary<EnvText> = fc.record({
  lines: fc.array(line, { maxLength: 12 }),
  eol: fc.constantFrom('\n' as const, '\n' as const, '\r\n' as const, '\r' as const),
  tail: fc.oneof(
    { weight: 12, arbitrary: fc.constant('') },
    {
      weight: 1,
      arbitrary: fc
        .record({ filler: repeated([' ', '\t', 'x', '#', '=', '"', "'", '\\n', 'A=1\n', '\n', 'x \t'], [2_000, 40_000]), shape: fc.constantFrom('value', 'line', 'quoted') })
        .map(({ filler, shape }) => (shape === 'value' ? `\nLONG=x${filler}y\n` : shape === 'quoted' ? `\nLONG="${filler}\n` : `\n${filler}`)),
    },
  ),
});

function render(text: EnvText): string {
  return text.lines.map((entry) => (entry.kind === 'assignment' ? written(entry.assignment) : entry.text)).join(text.eol) + text.tail;
}

/** What the plain assignments promise: names no noise line could also have set, with their last value. */
function expected(texts: readonly EnvText[]): Map<string, string> {
  const out = new Map<string, string>();
  const doubtful = new Set<string>();
  for (const text of texts) {
    if (text.eol === '\r') return new Map(); // a lone CR is not a line break for a dotenv file: nothing is promised
    for (const entry of text.lines) {
      if (entry.kind === 'assignment') out.set(entry.assignment.name, entry.assignment.value);
      else for (const key of out.keys()) if (entry.text.includes(key)) doubtful.add(key);
    }
    if (text.tail !== '') for (const key of out.keys()) if (text.tail.includes(key)) doubtful.add(key);
  }
  for (const key of doubtful) out.delete(key);
  return out;
}

const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype).join(',');

function untouchedPrototypes(): Problem[] {
  const now = Object.getOwnPropertyNames(Object.prototype).join(',');
  return now === PROTOTYPE_KEYS ? [] : [{ signature: 'Object.prototype changed', detail: now }];
}

/** A value as a file holds it: a lone surrogate is written as U+FFFD. */
function asWritten(value: string): string {
  return Buffer.from(value, 'utf8').toString('utf8');
}

function checkVariables(variables: Record<string, string>, promised: Map<string, string>, where: string): Problem[] {
  const problems: Problem[] = [];
  for (const [key, value] of Object.entries(variables)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) problems.push({ signature: `${where}: a variable name that is not a name`, detail: JSON.stringify(key) });
    if (typeof value !== 'string') problems.push({ signature: `${where}: a value that is not a string`, detail: `${key}: ${typeof value}` });
  }
  for (const [key, value] of promised) {
    if (!Object.hasOwn(variables, key)) problems.push({ signature: `${where}: a NAME=value line is lost${(PROTO_NAMES as readonly string[]).includes(key) ? ` (a prototype name)` : ''}`, detail: `${key}=${JSON.stringify(value).slice(0, 80)}` });
    else if (variables[key] !== value) problems.push({ signature: `${where}: a NAME=value line reads back changed`, detail: `${key}: wrote ${JSON.stringify(value).slice(0, 80)}, read ${JSON.stringify(variables[key]).slice(0, 80)}` });
  }
  return problems;
}

fuzzTarget<EnvText>({
  name: 'parseEnvFile',
  subject: 'parseEnvFile() in src/config/interpolate.ts',
  runs: 1500,
  slowMs: sizeBound(250, 2, (input: EnvText) => render(input).length),
  arbitrary: envText,
  run(input) {
    const variables = parseEnvFile(render(input));
    return [...checkVariables(variables, expected([input]), 'parseEnvFile'), ...untouchedPrototypes()];
  },
});

type EnvSource =
  | { kind: 'text'; text: EnvText }
  | { kind: 'special'; name: 'fifo' | 'nul' | 'dir' | 'missing' | 'loop' | 'dangling' | 'link' | 'binary' | 'huge' };

const source: fc.Arbitrary<EnvSource> = fc.oneof(
  { weight: 4, arbitrary: envText.map((text) => ({ kind: 'text' as const, text })) },
  { weight: 1, arbitrary: fc.constantFrom('fifo', 'nul', 'dir', 'missing', 'loop', 'dangling', 'link', 'binary', 'huge').map((special) => ({ kind: 'special' as const, name: special as never })) },
);

describe('readEnvFiles on files of every kind', () => {
  let root: string;
  let template: string;

  beforeAll(() => {
    root = fuzzRoot('env');
    template = path.join(root, 'template');
    mkdirSync(path.join(template, 'dir'), { recursive: true });
    writeFileSync(path.join(template, 'base.env'), `BASE_SECRET=${CANARY.envFileSecret}\nA=1\n`);
    writeFileSync(path.join(template, 'binary'), Buffer.from([0, 0xff, 0xfe, 0x41, 0x3d, 0x80, 0x0a, 0x42, 0x3d, 0xc3]));
    writeFileSync(path.join(template, 'huge'), 'BIG=1\n'.repeat(400_000));
    symlinkSync('loop', path.join(template, 'loop'));
    symlinkSync('nowhere/x.env', path.join(template, 'dangling'));
    symlinkSync('base.env', path.join(template, 'link'));
  });

  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  fuzzTarget<EnvSource[]>({
    name: 'readEnvFiles',
    subject: 'readEnvFiles() in src/config/env-files.ts',
    runs: 500,
    slowMs: 2000,
    arbitrary: fc.array(source, { minLength: 1, maxLength: 3 }),
    hangContext: (sources) => sources.map((entry) => (entry.kind === 'text' ? 'text' : entry.name)).join(', '),
    async run(sources, scope) {
      const names = sources.map((entry) => (entry.kind === 'special' ? entry.name : ''));
      const folder = caseFolder(root, template, { fifo: names.includes('fifo'), device: names.includes('nul') });
      scope.defer(() => folder.dispose());
      const files = sources.map((entry, index) => {
        if (entry.kind === 'special') return entry.name === 'fifo' ? SPECIAL.fifo : entry.name === 'nul' ? SPECIAL.device : entry.name;
        writeFileSync(path.join(folder.dir, `${index}.env`), render(entry.text));
        return `${index}.env`;
      });
      let result: Awaited<ReturnType<typeof readEnvFiles>>;
      try {
        result = await readEnvFiles(files, folder.dir);
      } catch (error) {
        if (!(error instanceof EnvFileError)) return [{ signature: `rejected with something other than EnvFileError: ${errorSignature(error)}` }];
        const problems: Problem[] = [];
        if (typeof error.code !== 'string' || error.code === '') problems.push({ signature: 'EnvFileError without a code' });
        for (const hit of findCanaries(error.message)) problems.push({ signature: `canary ${hit.canary} in the error message`, detail: hit.context });
        return problems;
      }
      // Only files that were read as text promise anything; a failed special file would have rejected.
      const texts = sources.flatMap((entry) => (entry.kind === 'text' ? [entry.text] : []));
      const promised = new Map([...(sources.every((entry) => entry.kind === 'text') ? expected(texts) : [])].map(([key, value]) => [key, asWritten(value)]));
      const problems = checkVariables(result.variables, promised, 'readEnvFiles');
      for (const [key, value] of Object.entries(result.variables)) {
        if (SECRET_NAME.test(key) && value !== '' && !result.secrets.includes(value)) problems.push({ signature: 'a secret-named variable is missing from secrets', detail: key });
      }
      for (const [key, value] of promised) {
        if (SECRET_NAME.test(key) && value !== '' && !result.secrets.includes(value)) problems.push({ signature: 'a secret-named variable is missing from secrets', detail: key });
      }
      return [...problems, ...untouchedPrototypes()];
    },
  });
});
