import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFixtureWorkspace } from './support/fixtures.js';
import { golive, ROOT, type CliResult } from './support/cli.js';

// The fixtures/ catalogue, run through the built CLI: every config under
// fixtures/configs declares what golive must say about it (fixtures/README.md
// gives the syntax), and this test holds golive to it. Adding a fixture needs
// no edit here.

const CONFIGS = path.join(ROOT, 'fixtures', 'configs');
const CONFIG_FILE = /\.(ya?ml|json)$/;

interface Expectation {
  check: string;
  status: 'warn' | 'fail';
  code: string;
  words: string[];
}

/** What a fixture declares: `ready`, or every warning and failure it must produce. */
type Declared = 'ready' | Expectation[];

interface Declarations {
  declared: Declared;
  /** A sidecar's `# config:` path, relative to the sidecar's folder. */
  config?: string;
}

const EXPECT_LINE = /^#\s*expect:(.*)$/;
const FINDING = /^([a-z][a-z0-9-]*\.[a-z0-9.-]+) (warn|fail) ([a-z0-9-]+)((?: "(?:[^"\\]|\\.)*")+)$/;
const KEY_WORD = /"(?:[^"\\]|\\.)*"/g;

/**
 * Reads the declarations of a fixture's leading comment (or of a whole
 * sidecar): one `# expect:` line per finding, or one `# expect: ready`.
 * Throws on anything malformed, so a fixture can never pass by declaring nothing.
 */
function parseDeclarations(text: string, source: string, sidecar = false): Declarations {
  const lines = text.split(/\r?\n/);
  const leading = sidecar ? lines.length : lines.findIndex((line) => line.trim() !== '' && !line.startsWith('#'));
  const head = leading === -1 ? lines : lines.slice(0, leading);
  const where = (index: number): string => `${source}:${index + 1}`;
  lines.slice(head.length).forEach((line, index) => {
    if (EXPECT_LINE.test(line)) throw new Error(`${where(head.length + index)}: an expect line after the leading comment; move it up`);
  });
  let ready = false;
  let config: string | undefined;
  const expectations: Expectation[] = [];
  head.forEach((line, index) => {
    if (sidecar && line.trim() !== '' && !line.startsWith('#')) throw new Error(`${where(index)}: a sidecar holds comment lines only`);
    const configLine = /^#\s*config:\s*(.*)$/.exec(line);
    if (configLine) {
      if (!sidecar) throw new Error(`${where(index)}: "# config:" belongs in a .expect sidecar`);
      if (config !== undefined || !configLine[1]) throw new Error(`${where(index)}: one non-empty "# config:" line at most`);
      config = configLine[1];
      return;
    }
    const expectLine = EXPECT_LINE.exec(line);
    if (!expectLine) return;
    const body = expectLine[1]!.trim();
    if (body === 'ready') {
      ready = true;
      return;
    }
    const finding = FINDING.exec(body);
    if (!finding) throw new Error(`${where(index)}: malformed expect line (want: ready, or <check-id> warn|fail <code> "key words"...): ${body}`);
    const words = [...finding[4]!.matchAll(KEY_WORD)].map(([quoted]) => JSON.parse(quoted) as string);
    expectations.push({ check: finding[1]!, status: finding[2] as Expectation['status'], code: finding[3]!, words });
  });
  if (ready && expectations.length > 0) throw new Error(`${source}: "expect: ready" cannot be combined with findings`);
  if (!ready && expectations.length === 0) throw new Error(`${source}: no "# expect:" line in the leading comment`);
  const checks = expectations.map(({ check }) => check);
  const repeated = checks.find((check, index) => checks.indexOf(check) !== index);
  if (repeated) throw new Error(`${source}: ${repeated} is declared twice`);
  return { declared: ready ? 'ready' : expectations, ...(config !== undefined && { config }) };
}

interface Fixture {
  /** Relative to fixtures/configs, e.g. broken/expired.yaml. */
  name: string;
  /** What golive is given, relative to the fixture's folder. */
  target: string;
  declarations: Declarations | Error;
}

/** Every fixture of one folder: each config file, and each sidecar naming a file elsewhere. */
function fixturesIn(folder: 'good' | 'broken'): Fixture[] {
  const dir = path.join(CONFIGS, folder);
  const entries = readdirSync(dir).sort();
  const fixtures: Fixture[] = [];
  const read = (name: string, run: () => Declarations): Declarations | Error => {
    try {
      return run();
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  };
  for (const entry of entries) {
    const name = `${folder}/${entry}`;
    const stem = entry.replace(/\.[^.]+$/, '');
    if (CONFIG_FILE.test(entry)) {
      const sidecar = `${stem}.expect`;
      const declarations = read(name, () => {
        const text = readFileSync(path.join(dir, entry), 'utf8');
        if (!entries.includes(sidecar)) return parseDeclarations(text, name);
        if (text.split(/\r?\n/).some((line) => EXPECT_LINE.test(line))) {
          throw new Error(`${name}: declared both inline and in ${sidecar}; keep one`);
        }
        const fromSidecar = parseDeclarations(readFileSync(path.join(dir, sidecar), 'utf8'), `${folder}/${sidecar}`, true);
        if (fromSidecar.config !== undefined) throw new Error(`${folder}/${sidecar}: "# config:" beside ${entry}; the sidecar of a config names no other file`);
        return fromSidecar;
      });
      fixtures.push({ name, target: entry, declarations });
    } else if (entry.endsWith('.expect')) {
      if (entries.some((other) => other !== entry && CONFIG_FILE.test(other) && other.replace(/\.[^.]+$/, '') === stem)) continue;
      const declarations = read(name, () => {
        const parsed = parseDeclarations(readFileSync(path.join(dir, entry), 'utf8'), name, true);
        if (parsed.config === undefined) throw new Error(`${name}: no config file ${stem}.json (or .yaml) beside it and no "# config:" line`);
        return parsed;
      });
      fixtures.push({ name, target: declarations instanceof Error ? entry : declarations.config!, declarations });
    } else {
      fixtures.push({ name, target: entry, declarations: new Error(`${name}: neither a config (.yaml, .yml, .json) nor a .expect sidecar`) });
    }
  }
  return fixtures;
}

interface CheckResult {
  id: string;
  status: string;
  code?: string;
  message?: string;
  hint?: string;
}

interface Run {
  config: { path: string };
  status: string;
  checks: CheckResult[];
}

/** Variables whose values no output may show (DESIGN: SECRET, PASSWORD, PASSPHRASE, TOKEN, KEY). */
function secretValues(envFile: string): string[] {
  return readFileSync(envFile, 'utf8')
    .split('\n')
    .map((line) => /^([A-Z0-9_]+)=(.*)$/.exec(line.trim()))
    .filter((match): match is RegExpExecArray => match !== null && /SECRET|PASSWORD|PASSPHRASE|TOKEN|KEY/.test(match[1]!))
    .map((match) => match[2]!.replace(/^"(.*)"$/, '$1'))
    .filter((value) => value.length >= 8);
}

const GOOD = fixturesIn('good');
const BROKEN = fixturesIn('broken');

let work: string;
const results = new Map<string, { result: CliResult; runs: Map<string, Run> }>();

/** Runs every fixture of a folder in one golive process (one start-up, not sixty). */
async function runFolder(folder: 'good' | 'broken', fixtures: Fixture[]): Promise<void> {
  const targets = fixtures.filter((fixture) => !(fixture.declarations instanceof Error)).map((fixture) => fixture.target);
  expect(new Set(targets).size, `two ${folder} fixtures name the same file`).toBe(targets.length);
  const cwd = path.join(work, 'configs', folder);
  const result = await golive(['check', '--offline', '--format', 'json', '--env-file', '../fixtures.env', ...targets], cwd);
  let report: { runs: Run[] };
  try {
    report = JSON.parse(result.stdout) as { runs: Run[] };
  } catch {
    throw new Error(`golive did not print a JSON report for the ${folder} fixtures (exit ${result.code}): ${result.stderr || result.stdout.slice(0, 500)}`);
  }
  results.set(folder, { result, runs: new Map(report.runs.map((run) => [run.config.path, run])) });
}

beforeAll(async () => {
  // The configs name ../../pki/...: the copy sits beside the run's fixture PKI, made on the run's clock.
  work = makeFixtureWorkspace();
  await Promise.all([runFolder('good', GOOD), runFolder('broken', BROKEN)]);
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function runOf(folder: 'good' | 'broken', fixture: Fixture): Run {
  if (fixture.declarations instanceof Error) throw fixture.declarations;
  const run = results.get(folder)?.runs.get(fixture.target);
  if (!run) throw new Error(`no run for ${fixture.target} in the ${folder} report`);
  return run;
}

function assertDeclared(run: Run, declared: Declared): void {
  const raised = run.checks.filter((check) => check.status === 'warn' || check.status === 'fail');
  if (declared === 'ready') {
    expect(raised.map(({ id, status, code, message }) => `${id} ${status} ${code}: ${message}`)).toEqual([]);
    expect(run.status).toBe('pass');
    return;
  }
  // Exactly the declared findings: a fixture shows one fault, not that fault and an accident.
  expect(raised.map(({ id, status, code }) => `${id} ${status} ${code}`).sort()).toEqual(declared.map(({ check, status, code }) => `${check} ${status} ${code}`).sort());
  for (const expectation of declared) {
    const check = raised.find(({ id }) => id === expectation.check)!;
    const text = `${check.message ?? ''}\n${check.hint ?? ''}`;
    for (const word of expectation.words) expect(text, `${expectation.check}: message or hint`).toContain(word);
  }
  expect(run.status).toBe(declared.some(({ status }) => status === 'fail') ? 'fail' : 'pass');
}

describe('fixtures/configs/good', () => {
  it('has a config for each auth method, connectivity and environment', () => {
    const combinations = ['uat', 'production'].flatMap((environment) =>
      ['tls', 'mtls'].flatMap((connectivity) =>
        ['private_key_jwt', 'client_secret_post', 'client_secret_basic'].map((method) => `good/${environment}-${connectivity}-${method}.yaml`),
      ),
    );
    expect(GOOD.map(({ name }) => name).sort()).toEqual(combinations.sort());
  });

  it('exits 0: every good config is ready', () => {
    expect(results.get('good')?.result.code).toBe(0);
  });

  it.each(GOOD.map((fixture) => [fixture.name, fixture] as const))('%s', (_name, fixture) => {
    const run = runOf('good', fixture);
    expect(fixture.declarations).toMatchObject({ declared: 'ready' });
    assertDeclared(run, 'ready');
  });
});

describe('fixtures/configs/broken', () => {
  it('holds at least 25 fixtures, none of them declared ready', () => {
    expect(BROKEN.length).toBeGreaterThanOrEqual(25);
    for (const { name, declarations } of BROKEN) if (!(declarations instanceof Error)) expect(declarations.declared, name).not.toBe('ready');
  });

  it('exits 1, and no output shows a secret or passphrase of fixtures.env', () => {
    const { result } = results.get('broken')!;
    expect(result.code).toBe(1);
    for (const secret of secretValues(path.join(CONFIGS, 'fixtures.env'))) {
      expect(result.stdout).not.toContain(secret);
      expect(result.stderr).not.toContain(secret);
    }
  });

  it('are each listed in the README section "What golive diagnoses"', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const start = readme.indexOf('## What golive diagnoses');
    const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
    expect(start).toBeGreaterThan(-1);
    const unlisted = BROKEN.map(({ name }) => path.basename(name)).filter((file) => !section.includes(`| \`${file}\``));
    expect(unlisted).toEqual([]);
  });

  it.each(BROKEN.map((fixture) => [fixture.name, fixture] as const))('%s', (_name, fixture) => {
    const run = runOf('broken', fixture);
    assertDeclared(run, (fixture.declarations as Declarations).declared);
  });
});

describe('expect declarations', () => {
  const yaml = (...head: string[]): string => [...head, 'profile: thredd', ''].join('\n');

  it('reads ready, and findings with their key words', () => {
    expect(parseDeclarations(yaml('# about', '# expect: ready'), 'a.yaml')).toEqual({ declared: 'ready' });
    expect(parseDeclarations(yaml('# expect: signing.key fail passphrase-wrong "does not decrypt" "say \\"it\\""'), 'a.yaml')).toEqual({
      declared: [{ check: 'signing.key', status: 'fail', code: 'passphrase-wrong', words: ['does not decrypt', 'say "it"'] }],
    });
    expect(parseDeclarations('# config: ../x.key\n# expect: config.parse fail private-key-file "a key"\n', 'x.expect', true)).toEqual({
      config: '../x.key',
      declared: [{ check: 'config.parse', status: 'fail', code: 'private-key-file', words: ['a key'] }],
    });
  });

  it.each([
    ['no declaration', yaml('# a config')],
    ['a declaration after the leading comment', ['profile: thredd', '# expect: ready', ''].join('\n')],
    ['an unknown status', yaml('# expect: signing.key skip offline "x"')],
    ['no key words', yaml('# expect: signing.key fail expired')],
    ['an unquoted key word', yaml('# expect: signing.key fail expired expired')],
    ['a check id without a dot', yaml('# expect: signing fail expired "x"')],
    ['ready beside a finding', yaml('# expect: ready', '# expect: signing.key fail expired "x"')],
    ['one check declared twice', yaml('# expect: signing.key fail expired "x"', '# expect: signing.key warn expires-soon "y"')],
    ['a config line outside a sidecar', yaml('# config: other.yaml', '# expect: ready')],
  ])('rejects %s', (_case, text) => {
    expect(() => parseDeclarations(text, 'a.yaml')).toThrow();
  });

  it('rejects a sidecar with content lines', () => {
    expect(() => parseDeclarations('# expect: ready\nprofile: thredd\n', 'a.expect', true)).toThrow(/comment lines only/);
  });
});
