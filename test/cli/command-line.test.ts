import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECK_IDS } from '../../checks/index.js';
import { MIGRATION_IDS } from '../../checks/migration/index.js';
import { FAULTS } from '../../src/sandbox/faults.js';
import { golive } from '../support/cli.js';

// The command line as yargs reads it, through the built binary: golive's own
// one-line usage errors with a suggestion, coercion, declared conflicts and
// implications, completion, and a parser no project file can reconfigure.

let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'golive-command-line-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A usage error: exit 2, exactly the message line and the help pointer, nothing on stdout. */
function expectUsageError(result: { code: number; stdout: string; stderr: string }, message: string, command?: string): void {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr).toBe(`golive: ${message}\nRun "golive ${command ? `${command} ` : ''}--help" for usage.\n`);
}

describe.concurrent('a misspelt option', () => {
  it.each([
    ['check', ['--ofline'], '--offline'],
    ['diff', ['a.yaml', 'b.yaml', '--go-lve', '2026-12-01'], '--go-live'],
    ['report', ['r.json', '--exit-cod'], '--exit-code'],
    ['init', ['--enviroment', 'production'], '--environment'],
    ['schema', ['--hepl'], '--help'],
    ['explain', ['--lst'], '--list'],
    ['sandbox', ['--faul', 'jwks-404'], '--fault'],
    ['demo', ['--hepl'], '--help'],
  ])('golive %s %j: one line naming it with a suggestion, exit 2', async (command, args, suggestion) => {
    const given = args.find((arg) => arg.startsWith('--'))!;
    expectUsageError(await golive([command, ...args], root), `unknown option ${given}; did you mean ${suggestion}?`, command);
  });

  it('names every unknown option, and suggests for the first', async () => {
    expectUsageError(await golive(['check', '--ofline', '--bogus-flag'], root), 'unknown options --ofline, --bogus-flag; did you mean --offline?', 'check');
  });

  it('an unknown short option is named with one dash', async () => {
    expectUsageError(await golive(['check', '-x'], root), 'unknown option -x', 'check');
  });

  it('an unknown option that swallowed a positional is what is named, not the count it threw off', async () => {
    expectUsageError(await golive(['diff', '--offline', 'uat.yaml', 'prod.yaml'], root), 'unknown option --offline', 'diff');
  });

  it('an unknown command gets the closest command', async () => {
    expectUsageError(await golive(['chek'], root), 'unknown command chek; did you mean check?');
    expectUsageError(await golive(['frobnicate'], root), 'unknown command frobnicate');
  });
});

describe.concurrent('typed options', () => {
  it.each([
    [['check', '--timeout', '-5'], '--timeout takes milliseconds from 1 to 600000; got -5', 'check'],
    [['check', '--timeout', '1e3'], '--timeout takes milliseconds from 1 to 600000; got 1e3', 'check'],
    [['check', '--timeout', '0'], '--timeout takes milliseconds from 1 to 600000; got 0', 'check'],
    [['check', '--format', 'yaml'], '--format must be one of pretty, plain, json, junit, markdown, github; got yaml', 'check'],
    [['report', 'r.json', '--format', 'xml'], '--format must be one of pretty, plain, json, junit, markdown, github, sarif, html; got xml', 'report'],
    [['init', '--connectivity', 'vpn'], '--connectivity must be one of tls, mtls; got vpn', 'init'],
    [['diff', 'a.yaml', 'b.yaml', '--go-live', '2026-02-31'], '--go-live takes a date as YYYY-MM-DD, e.g. 2026-12-01; got 2026-02-31', 'diff'],
    [['check', '--env-file'], '--env-file needs a value', 'check'],
    [['check', '--json'], '--json needs a value', 'check'],
    [['schema', 'nosuch'], 'golive schema takes config or report; got nosuch', 'schema'],
  ])('%j', async (args, message, command) => {
    expectUsageError(await golive(args, root), message, command);
  });

  it('--only takes ids comma-separated and repeated: each one is checked', async () => {
    expectUsageError(
      await golive(['check', '--offline', '--only', 'config', '--only', 'signing,nosuch'], root),
      '--only nosuch names no check (golive explain --list shows the ids)',
      'check',
    );
  });

  it('words after -- are positionals, placed and counted like the others', async () => {
    const check = await golive(['check', '--offline', '--format', 'json', '--', '-odd.yaml', 'b.yaml'], root);
    expect(JSON.parse(check.stdout).runs.map((run: { config: { path: string } }) => run.config.path)).toEqual(['-odd.yaml', 'b.yaml']);
    expectUsageError(await golive(['diff', '--', 'a.yaml'], root), 'golive diff takes two configs, UAT first and Production second; got 1', 'diff');
    expectUsageError(await golive(['init', '--stdout', '--', 'a.yaml', 'b.yaml'], root), 'golive init takes one file; got a.yaml b.yaml', 'init');
    expectUsageError(await golive(['schema', '--', '../x'], root), 'golive schema takes config or report; got ../x', 'schema');
    const schema = await golive(['schema', '--', 'report'], root);
    expect(JSON.parse(schema.stdout).$id).toMatch(/report\.schema\.json$/);
  });

  it('a config named like a number stays a file name', async () => {
    const result = await golive(['check', '--offline', '0x10', '--format', 'json'], root);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).runs[0].config.path).toBe('0x10');
  });
});

describe.concurrent('declared conflicts, implications and positionals', () => {
  it.each([
    [['init', '--stdout', '--from-postman', 'env.json'], '--stdout does not combine with --from-postman', 'init'],
    [['sandbox', '--force'], '--force needs --dir', 'sandbox'],
    [['init', 'a.yaml', 'b.yaml'], 'golive init takes one file; got a.yaml b.yaml', 'init'],
    [['diff', 'a.yaml'], 'golive diff takes two configs, UAT first and Production second; got 1', 'diff'],
    [['diff', 'a.yaml', 'b.yaml', 'c.yaml'], 'golive diff takes two configs, UAT first and Production second; got 3', 'diff'],
    [['report'], 'golive report needs the report file, e.g. golive report report.json', 'report'],
    [['explain', 'a', 'b'], 'golive explain takes one check id; got a b', 'explain'],
    [['demo', 'now'], 'golive demo takes no arguments; got now', 'demo'],
  ])('%j', async (args, message, command) => {
    expectUsageError(await golive(args, root), message, command);
  });
});

describe.concurrent('help', () => {
  it('golive help <command> is <command> --help, with examples and the exit codes', async () => {
    const [a, b] = await Promise.all([golive(['help', 'diff'], root), golive(['diff', '--help'], root)]);
    expect(a).toEqual(b);
    expect(a.code).toBe(0);
    expect(a.stdout).toMatch(/^Usage: golive diff <uat-config> <production-config> \[options\]/);
    expect(a.stdout).toMatch(/^Examples:$/m);
    expect(a.stdout).toMatch(/^Exit codes: 0 ready, 1 a check failed, 2 usage error, 3 internal error\.$/m);
  });

  it('sandbox --help lists every fault', async () => {
    const { stdout } = await golive(['sandbox', '--help'], root);
    for (const fault of Object.keys(FAULTS)) expect(stdout).toMatch(new RegExp(`^  ${fault} `, 'm'));
  });
});

describe('a project cannot reconfigure the parser', () => {
  it('ignores a "yargs" key in the package.json of the folder golive runs in', async () => {
    const project = path.join(root, 'project');
    await mkdir(project, { recursive: true });
    await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'app', yargs: { 'boolean-negation': true, 'camel-case-expansion': true } }));
    expectUsageError(await golive(['check', '--no-offline'], project), 'unknown option --no-offline; did you mean --offline?', 'check');
  });
});

describe.concurrent('golive completion', () => {
  /** What the completion script gets for the words typed so far (the last one being completed). */
  async function complete(words: string[], env: Record<string, string> = {}): Promise<string[]> {
    const result = await golive(['--get-yargs-completions', 'golive', ...words], root, env);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    return result.stdout.split('\n').filter(Boolean);
  }

  it('prints a bash script that asks golive, and a zsh one under zsh', async () => {
    const bash = await golive(['completion'], root, { SHELL: '/bin/bash' });
    expect(bash.code).toBe(0);
    expect(bash.stdout).toContain('--get-yargs-completions');
    expect(bash.stdout).toMatch(/complete .*-F _golive_yargs_completions golive/);
    const zsh = await golive(['completion'], root, { SHELL: '/usr/bin/zsh' });
    expect(zsh.stdout).toContain('compdef _golive_yargs_completions golive');
  });

  it('completes commands and options', async () => {
    expect(await complete(['']).then((words) => words.filter((word) => !word.startsWith('-')))).toEqual(
      expect.arrayContaining(['check', 'diff', 'report', 'init', 'schema', 'explain', 'sandbox', 'demo', 'completion']),
    );
    expect(await complete(['check', '--of'])).toContain('--offline');
    expect(await complete(['check', '--format', ''])).toEqual(['pretty', 'plain', 'json', 'junit', 'markdown', 'github']);
  });

  it('completes check ids and prefixes after --only and --skip, item by item', async () => {
    expect(await complete(['check', '--only', 'sig'])).toEqual(['signing', 'signing.key', 'signing.certificate', 'signing.keypair']);
    expect(await complete(['check', '--skip', 'config,tok'])).toEqual(['config,token', 'config,token.request', 'config,token.response']);
    expect(await complete(['check', '--only', ''])).toEqual(expect.arrayContaining([...CHECK_IDS]));
  });

  it('completes every check id after explain, and fault names after sandbox --fault', async () => {
    expect(await complete(['explain', ''])).toEqual([...CHECK_IDS, ...MIGRATION_IDS]);
    expect(await complete(['explain', 'migration.c'])).toEqual(['migration.credentials', 'migration.changes']);
    expect(await complete(['sandbox', '--fault', 'key-'])).toEqual(Object.keys(FAULTS).filter((name) => name.startsWith('key-')));
  });
});
