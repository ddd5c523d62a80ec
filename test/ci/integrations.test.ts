import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BASE_ENV, CLI, DIST, ROOT } from '../support/cli.js';
import { makeFixtureWorkspace } from '../support/fixtures.js';
import { findAll, parseXml } from '../support/xml.js';

// The ready-made CI integrations (action.yml, ci/golive.gitlab-ci.yml) run
// here as their runners would run them: the scripts are read from the YAML,
// the inputs substituted, and bash or sh runs them against the fixture
// catalogue. Only npm is a stand-in: it "installs" the built CLI. A golive
// option renamed or a report that moved fails this file, not a user's CI.

interface ShellResult {
  code: number;
  stdout: string;
  stderr: string;
}

function runShell(argv: readonly string[], cwd: string, env: Record<string, string>): Promise<ShellResult> {
  return new Promise((resolve, reject) => {
    execFile(argv[0]!, argv.slice(1), { cwd, env, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') reject(error);
      else resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
    });
  });
}

const PACKAGE = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; bin: Record<string, string> };

/**
 * An `npm` that logs its arguments to `cwd`/npm.log and, where the real one
 * would put golive's dist/ (`npm run build` in the current folder,
 * `npm install --prefix P` in P/node_modules/golive), links the built one.
 */
const FAKE_NPM = `#!/bin/sh
echo "$*" >> "$FAKE_NPM_LOG"
case "$1" in
  run) [ "$2" = build ] && ln -s "$FAKE_NPM_DIST" dist ;;
  install)
    while [ $# -gt 0 ]; do [ "$1" = --prefix ] && prefix=$2; shift; done
    mkdir -p "$prefix/node_modules/${PACKAGE.name}"
    ln -s "$FAKE_NPM_DIST" "$prefix/node_modules/${PACKAGE.name}/dist" ;;
esac
`;

/** What the scripts see: PATH with the fake npm, then this Node (they call `node`); nothing else of the test's environment. */
function shellEnv(cwd: string, vars: Record<string, string>): Record<string, string> {
  const bin = path.join(cwd, '.bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(path.join(bin, 'npm'), FAKE_NPM);
  chmodSync(path.join(bin, 'npm'), 0o755);
  const PATH = [bin, path.dirname(process.execPath), BASE_ENV.PATH].join(path.delimiter);
  return { ...BASE_ENV, PATH, HOME: cwd, FAKE_NPM_LOG: path.join(cwd, 'npm.log'), FAKE_NPM_DIST: DIST, ...vars };
}

function npmCalls(cwd: string): string[] {
  return readFileSync(path.join(cwd, 'npm.log'), 'utf8').split('\n').filter(Boolean);
}

const workspaces: string[] = [];
/** fixtures/configs and the run's fixture keys in a fresh folder: the job's checkout. */
function checkout(): string {
  const dir = makeFixtureWorkspace();
  workspaces.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of workspaces.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function expectReports(files: { junit: string; sarif: string; json: string; markdown: string }, configs: readonly string[], status: 'pass' | 'fail'): void {
  const junit = parseXml(readFileSync(files.junit, 'utf8'));
  expect(junit.name).toBe('testsuites');
  expect(findAll(junit, 'testsuite').map((suite) => suite.attributes.name)).toEqual(configs);
  expect(Number(junit.attributes.failures) > 0).toBe(status === 'fail');

  const sarif = JSON.parse(readFileSync(files.sarif, 'utf8')) as { version: string; runs: { tool: { driver: { name: string } }; results: unknown[] }[] };
  expect(sarif.version).toBe('2.1.0');
  expect(sarif.runs[0]!.tool.driver.name).toBe('golive');
  expect(sarif.runs.flatMap((run) => run.results).length > 0).toBe(status === 'fail');

  const report = JSON.parse(readFileSync(files.json, 'utf8')) as { status: string; runs: { config: { path: string } }[] };
  expect(report.status).toBe(status);
  expect(report.runs.map((run) => run.config.path)).toEqual(configs);

  expect(readFileSync(files.markdown, 'utf8')).toMatch(/^## golive: /);
}

describe('action.yml (GitHub composite action)', () => {
  interface Step {
    id?: string;
    name: string;
    if?: string;
    uses?: string;
    shell?: string;
    env?: Record<string, string>;
    with?: Record<string, string>;
    run?: string;
  }
  const action = parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as {
    inputs: Record<string, { default?: string }>;
    outputs: Record<string, { value: string }>;
    runs: { using: string; steps: Step[] };
  };
  const steps = action.runs.steps;
  const stepById = (id: string): Step => {
    const found = steps.find((step) => step.id === id);
    if (!found) throw new Error(`action.yml has no step with id ${id}`);
    return found;
  };
  const failStep = steps.find((step) => step.name === "Fail on golive's exit code")!;
  const EXPRESSION = /\$\{\{\s*(.*?)\s*\}\}/g;
  const OUTPUT = /^([\w-]+)=(.*)$/;

  /** The `${{ }}` contexts a step's env may use: inputs (defaults, then the workflow's `with:`), earlier steps' outputs, the action path. */
  function contexts(actionPath: string, withInputs: Record<string, string>, outputs: Record<string, Record<string, string>>): Map<string, string> {
    for (const name of Object.keys(withInputs)) if (!(name in action.inputs)) throw new Error(`action.yml declares no input ${name}`);
    const known = new Map<string, string>([['github.action_path', actionPath]]);
    for (const [name, input] of Object.entries(action.inputs)) known.set(`inputs.${name}`, withInputs[name] ?? input.default ?? '');
    for (const [id, values] of Object.entries(outputs)) for (const [name, value] of Object.entries(values)) known.set(`steps.${id}.outputs.${name}`, value);
    return known;
  }

  /** Runs a `run:` step as the runner does (`bash --noprofile --norc -eo pipefail`), returning what it wrote to $GITHUB_OUTPUT. */
  async function runStep(step: Step, cwd: string, known: Map<string, string>): Promise<ShellResult & { outputs: Record<string, string>; summary: string }> {
    const runner = path.join(cwd, '.runner');
    mkdirSync(runner, { recursive: true });
    // Each step its own files, as on a runner.
    const files = { GITHUB_OUTPUT: path.join(runner, `${step.id ?? 'final'}.output`), GITHUB_STEP_SUMMARY: path.join(runner, `${step.id ?? 'final'}.md`) };
    for (const file of Object.values(files)) writeFileSync(file, '');
    const env = Object.fromEntries(
      Object.entries(step.env ?? {}).map(([name, value]) => [
        name,
        value.replace(EXPRESSION, (_, expression: string) => {
          const resolved = known.get(expression);
          if (resolved === undefined) throw new Error(`${step.name}: no value for \${{ ${expression} }}`);
          return resolved;
        }),
      ]),
    );
    const runnerEnv = { RUNNER_TEMP: runner, GITHUB_ACTION_PATH: known.get('github.action_path')!, ...files };
    const result = await runShell(['bash', '--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run!], cwd, shellEnv(cwd, { ...runnerEnv, ...env }));
    const outputs = Object.fromEntries(
      readFileSync(files.GITHUB_OUTPUT, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const match = OUTPUT.exec(line);
          if (!match) throw new Error(`${step.name}: not a name=value output line: ${line}`);
          return [match[1]!, match[2]!];
        }),
    );
    return { ...result, outputs, summary: files.GITHUB_STEP_SUMMARY };
  }

  /**
   * The action's `run:` steps in order. The action's checkout is a folder of
   * the workspace, holding the built dist/ as a release tag does (or not, as
   * a branch).
   */
  async function runAction(withInputs: Record<string, string>, checkoutHasDist = true) {
    const cwd = checkout();
    const actionPath = path.join(cwd, '.action');
    mkdirSync(actionPath);
    if (checkoutHasDist) symlinkSync(DIST, path.join(actionPath, 'dist'));
    const install = await runStep(stepById('install'), cwd, contexts(actionPath, withInputs, {}));
    expect(install.code, install.stderr).toBe(0);
    const golive = await runStep(stepById('golive'), cwd, contexts(actionPath, withInputs, { install: install.outputs }));
    // The final step's `if:` (checked above): it runs once golive has run.
    const final =
      golive.outputs['exit-code'] === undefined ? undefined : await runStep(failStep, cwd, contexts(actionPath, withInputs, { install: install.outputs, golive: golive.outputs }));
    return { cwd, actionPath, install, golive, final };
  }

  it('is a composite action whose scripts take every input through env, and whose uploads run after a failure', () => {
    expect(action.runs.using).toBe('composite');
    for (const step of steps) {
      if (step.run !== undefined) {
        expect(step.shell, step.name).toBe('bash');
        expect(step.run, `${step.name}: a \${{ }} in a script is shell injection`).not.toMatch(/\$\{\{/);
      } else {
        expect(step.uses, step.name).toMatch(/^[\w-]+\/[\w/-]+@v\d+$/);
      }
      if (step.uses?.includes('upload')) expect(step.if, step.name).toMatch(/^always\(\) && /);
    }
    expect(failStep.if).toBe("always() && steps.golive.outputs.exit-code != ''");
    expect(steps.at(-1)).toBe(failStep);
  });

  it('references only declared inputs and step outputs that a script writes, and uses every input', () => {
    const text = readFileSync(path.join(ROOT, 'action.yml'), 'utf8');
    const body = text.slice(text.indexOf('\ninputs:'));
    const written = new Set(
      steps.flatMap((step) => [...(step.run ?? '').matchAll(/echo "([\w-]+)=.*>> "\$GITHUB_OUTPUT"/g)].map((match) => `steps.${step.id}.outputs.${match[1]}`)),
    );
    const referenced = [...body.matchAll(/\b(inputs\.[\w-]+|steps\.[\w-]+\.outputs\.[\w-]+)/g)].map((match) => match[1]!);
    for (const reference of referenced) {
      if (reference.startsWith('inputs.')) expect(Object.keys(action.inputs), reference).toContain(reference.slice('inputs.'.length));
      else expect([...written], reference).toContain(reference);
    }
    for (const name of Object.keys(action.inputs)) expect(referenced, `input ${name} is never used`).toContain(`inputs.${name}`);
    for (const output of Object.values(action.outputs)) expect([...written]).toContain(output.value.replace(EXPRESSION, '$1'));
  });

  it('checks the configs its globs match, writes JUnit, SARIF, JSON and the step summary, and passes', async () => {
    const { cwd, golive, final } = await runAction({
      configs: 'configs/good/uat-tls-*.yaml\n  configs/good/production-mtls-private_key_jwt.yaml',
      offline: 'true',
      'env-file': 'configs/fixtures.env',
      args: '--timeout 5000',
    });
    expect(golive.stderr).toBe('');
    expect(golive.code).toBe(0);
    const dir = path.join(cwd, '.runner', 'golive-reports');
    expect(golive.outputs).toEqual({ 'reports-dir': dir, 'exit-code': '0', sarif: path.join(dir, 'golive.sarif') });
    expect(readdirSync(dir).sort()).toEqual(['golive.sarif', 'junit.xml', 'report.json']);
    const configs = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'].map((method) => `configs/good/uat-tls-${method}.yaml`);
    expectReports(
      { junit: path.join(dir, 'junit.xml'), sarif: path.join(dir, 'golive.sarif'), json: path.join(dir, 'report.json'), markdown: golive.summary },
      [...configs, 'configs/good/production-mtls-private_key_jwt.yaml'],
      'pass',
    );
    expect(golive.stdout).not.toMatch(/^::(error|warning)/m);
    expect(final?.code).toBe(0);
  });

  it('fails the job with golive exit code 1 only after the reports are written, annotating the config', async () => {
    const { cwd, golive, final } = await runAction({
      configs: 'configs/broken/environment-prod.yaml',
      offline: 'true',
      'env-file': 'configs/fixtures.env',
      'reports-dir': 'out/golive',
    });
    expect(golive.code).toBe(0);
    expect(golive.outputs['exit-code']).toBe('1');
    expect(golive.stdout).toMatch(/^::error file=configs\/broken\/environment-prod\.yaml,line=\d+/m);
    const dir = path.join(cwd, 'out', 'golive');
    expect(golive.outputs['reports-dir']).toBe('out/golive');
    expectReports(
      { junit: path.join(dir, 'junit.xml'), sarif: path.join(dir, 'golive.sarif'), json: path.join(dir, 'report.json'), markdown: golive.summary },
      ['configs/broken/environment-prod.yaml'],
      'fail',
    );
    expect(final?.code).toBe(1);
    expect(final?.stdout).toContain('::error::golive exited with 1');
  });

  it('runs the golive of its own checkout: runtime dependencies on a release ref, a build on any other', async () => {
    const release = await runAction({ configs: 'configs/good/uat-tls-private_key_jwt.yaml', offline: 'true', 'env-file': 'configs/fixtures.env' });
    expect(release.install.outputs).toEqual({ cli: path.join(release.actionPath, PACKAGE.bin.golive!) });
    expect(npmCalls(release.cwd)).toEqual(['ci --omit=dev --ignore-scripts --no-audit --no-fund']);
    expect(release.golive.outputs['exit-code']).toBe('0');

    const branch = await runAction({ configs: 'configs/good/uat-tls-private_key_jwt.yaml', offline: 'true', 'env-file': 'configs/fixtures.env' }, false);
    expect(npmCalls(branch.cwd)).toEqual(['ci --no-audit --no-fund', 'run build']);
    expect(branch.golive.outputs['exit-code']).toBe('0');
  });

  it('passes args through to golive (a misspelt option is its usage error, exit 2)', async () => {
    const { golive, final } = await runAction({ configs: 'configs/good/uat-tls-private_key_jwt.yaml', offline: 'true', args: '--ofline' });
    expect(golive.outputs['exit-code']).toBe('2');
    expect(golive.stderr).toContain('unknown option --ofline; did you mean --offline?');
    expect(final?.code).toBe(2);
  });

  it('refuses a boolean input that is neither true nor false, before golive runs', async () => {
    const { golive, final } = await runAction({ configs: 'configs/good/uat-tls-private_key_jwt.yaml', strict: 'yes' });
    expect(golive.code).toBe(2);
    expect(golive.stdout).toContain('::error::golive action: input strict is "yes"; use true or false');
    expect(golive.outputs).toEqual({});
    expect(final).toBeUndefined();
  });
});

describe('ci/golive.gitlab-ci.yml (GitLab CI template)', () => {
  const text = readFileSync(path.join(ROOT, 'ci', 'golive.gitlab-ci.yml'), 'utf8');
  const template = (parse(text) as Record<string, unknown>)['.golive'] as {
    image: string;
    variables: Record<string, string>;
    before_script: string[];
    script: string[];
    artifacts: { when: string; paths: string[]; reports: { junit: string } };
  };

  /** A job that `extends: .golive` with these variables, run as the runner runs it: before_script and script in one `sh -e`. */
  async function runJob(variables: Record<string, string>) {
    for (const name of [...Object.keys(variables)]) if (!(name in template.variables) && name !== 'GOLIVE_CLI') throw new Error(`the template declares no variable ${name}`);
    const cwd = checkout();
    const script = [...template.before_script, ...template.script].join('\n');
    const result = await runShell(['sh', '-e', '-c', script], cwd, shellEnv(cwd, { TMPDIR: path.join(cwd, '.tmp'), ...template.variables, ...variables }));
    return { cwd, ...result };
  }

  it('is a hidden job on node:22 that keeps its reports, JUnit among them, whatever the outcome', () => {
    expect(template.image).toBe('node:22');
    expect(template.artifacts.when).toBe('always');
    expect(template.artifacts.reports.junit.startsWith(template.artifacts.paths[0]!)).toBe(true);
    const used = new Set([...[...template.before_script, ...template.script].join('\n').matchAll(/\$\{?(GOLIVE_\w+)/g)].map((match) => match[1]!));
    expect([...used].sort()).toEqual([...Object.keys(template.variables), 'GOLIVE_CLI'].sort());
    for (const name of used) expect(text, `${name} is not documented in the template's comment`).toMatch(new RegExp(`^#\\s+${name}\\s`, 'm'));
    expect(text).toMatch(/^#\s+include:\n#\s+- remote: .*\/ci\/golive\.gitlab-ci\.yml\n(#.*\n)*#\s+extends: \.golive$/m);
  });

  it('installs golive from its git repository at the tag, never by the npm name, unless GOLIVE_CLI names one', async () => {
    expect(template.variables.GOLIVE_PACKAGE).toMatch(/^git\+https:\/\/github\.com\/[\w-]+\/golive\.git#v\d+$/);
    const installed = await runJob({ GOLIVE_CONFIGS: 'configs/good/uat-tls-private_key_jwt.yaml', GOLIVE_OFFLINE: 'true', GOLIVE_ENV_FILE: 'configs/fixtures.env' });
    expect(installed.code, installed.stderr).toBe(0);
    expect(npmCalls(installed.cwd)).toEqual([`install --prefix ${path.join(installed.cwd, '.tmp', 'golive-cli')} --no-save --no-audit --no-fund ${template.variables.GOLIVE_PACKAGE}`]);

    const own = await runJob({ GOLIVE_CLI: CLI, GOLIVE_CONFIGS: 'configs/good/uat-tls-private_key_jwt.yaml', GOLIVE_OFFLINE: 'true', GOLIVE_ENV_FILE: 'configs/fixtures.env' });
    expect(own.code, own.stderr).toBe(0);
    expect(() => npmCalls(own.cwd)).toThrow(/ENOENT/);
  });

  it('checks the configs its globs match and writes every report it keeps', async () => {
    const { cwd, code, stderr } = await runJob({
      GOLIVE_CONFIGS: 'configs/good/uat-tls-*.yaml',
      GOLIVE_OFFLINE: 'true',
      GOLIVE_STRICT: 'true',
      GOLIVE_ENV_FILE: 'configs/fixtures.env',
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const reports = path.join(cwd, template.artifacts.paths[0]!);
    expect(readdirSync(reports).sort()).toEqual(['golive.sarif', 'junit.xml', 'report.json', 'summary.md']);
    expectReports(
      {
        junit: path.join(cwd, template.artifacts.reports.junit),
        sarif: path.join(reports, 'golive.sarif'),
        json: path.join(reports, 'report.json'),
        markdown: path.join(reports, 'summary.md'),
      },
      ['client_secret_basic', 'client_secret_post', 'private_key_jwt'].map((method) => `configs/good/uat-tls-${method}.yaml`),
      'pass',
    );
  });

  it("fails the job with golive's exit code, reports written", async () => {
    const { cwd, code } = await runJob({
      GOLIVE_CONFIGS: 'configs/broken/environment-prod.yaml',
      GOLIVE_OFFLINE: 'true',
      GOLIVE_ENV_FILE: 'configs/fixtures.env',
      GOLIVE_ARGS: '--skip signing',
    });
    expect(code).toBe(1);
    const reports = path.join(cwd, template.artifacts.paths[0]!);
    expectReports(
      {
        junit: path.join(cwd, template.artifacts.reports.junit),
        sarif: path.join(reports, 'golive.sarif'),
        json: path.join(reports, 'report.json'),
        markdown: path.join(reports, 'summary.md'),
      },
      ['configs/broken/environment-prod.yaml'],
      'fail',
    );
  });

  it('refuses a boolean variable that is neither true nor false', async () => {
    const { code, stderr } = await runJob({ GOLIVE_OFFLINE: 'yes' });
    expect(code).toBe(2);
    expect(stderr).toContain('golive: GOLIVE_OFFLINE is "yes"; use true or false');
  });
});
