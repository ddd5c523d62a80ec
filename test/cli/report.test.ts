import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Io } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { reporters } from '../../src/reporters/index.js';
import { hostileReport, mixedReport, passingReport } from '../support/report-fixtures.js';
import { render } from '../../src/cli/render.js';

interface Captured {
  io: Io;
  stdout(): string;
  stderr(): string;
}

function capture(cwd: string, tty = false): Captured {
  const out: string[] = [];
  const err: string[] = [];
  const collector = (into: string[]) =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        into.push(chunk.toString());
        done();
      },
    });
  const stdout = Object.assign(collector(out), { isTTY: tty });
  const stderr = collector(err);
  return { io: { stdout, stderr, env: tty ? { TERM: 'xterm' } : {}, cwd }, stdout: () => out.join(''), stderr: () => err.join('') };
}

const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;
let dir: string;

async function file(name: string, content: string): Promise<string> {
  await writeFile(path.join(dir, name), content);
  return name;
}

async function golive(args: string[], tty = false): Promise<{ code: number; stdout: string; stderr: string }> {
  const run = capture(dir, tty);
  const code = await main(args, run.io);
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'golive-report-'));
  await mkdir(path.join(dir, 'a-folder'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('golive report', () => {
  it('renders a valid report as plain text when not on a terminal, exit 0 even when not ready', async () => {
    const name = await file('mixed.json', reporters.json(mixedReport(), { color: false }));
    const result = await golive(['report', name]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(reporters.plain(mixedReport(), { color: false }));
  });

  it('renders pretty with colour on a terminal', async () => {
    const name = await file('tty.json', reporters.json(passingReport(), { color: false }));
    const result = await golive(['report', name], true);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(reporters.pretty(passingReport(), { color: true }));
  });

  it.each(['pretty', 'plain', 'markdown', 'json', 'junit', 'github', 'sarif'] as const)('--format %s is that reporter', async (format) => {
    const name = await file(`format-${format}.json`, reporters.json(mixedReport(), { color: false }));
    const result = await golive(['report', name, '--format', format]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(await render(format, mixedReport(), false));
  });

  it('--format json gives back the same report', async () => {
    const text = reporters.json(hostileReport(), { color: false });
    const name = await file('hostile.json', text);
    expect((await golive(['report', name, '--format', 'json'])).stdout).toBe(text);
  });

  it('--exit-code exits with the report\'s own result', async () => {
    const failing = await file('exit-fail.json', reporters.json(mixedReport(), { color: false }));
    const passing = await file('exit-pass.json', reporters.json(passingReport(), { color: false }));
    expect((await golive(['report', failing, '--exit-code'])).code).toBe(1);
    expect((await golive(['report', passing, '--exit-code'])).code).toBe(0);
  });

  const refused: Array<[string, string, RegExp]> = [
    ['not JSON', '{"schemaVersion": 1,\n "runs": 1', /bad\.json is not JSON \(syntax error at line 2, column 11\), so not a golive report/],
    ['truncated JSON', '{"schemaVersion": 1, "runs": [ oops', /bad\.json is not JSON \(syntax error\), so not a golive report/],
    ['empty', '  \n', /is empty, not a golive report/],
    ['a JSON array', '[1, 2]', /is JSON but not a golive report/],
    ['another tool\'s JSON', '{"tool": {"name": "eslint"}, "runs": []}', /is JSON but not a golive report/],
    ['a newer schemaVersion', JSON.stringify({ ...mixedReport(), schemaVersion: 2 }), /has schemaVersion 2; this golive reads schemaVersion 1: upgrade golive to read it/],
    ['a missing schemaVersion', JSON.stringify({ ...mixedReport(), schemaVersion: undefined }), /has schemaVersion missing; this golive reads schemaVersion 1/],
  ];
  it.each(refused)('refuses %s: one line on stderr, exit 2', async (_what, content, reason) => {
    const name = await file('bad.json', content);
    const result = await golive(['report', name]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(reason);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });

  it('names the first schema errors with their JSON paths', async () => {
    // A deep copy: the fixtures share their host object.
    const broken = JSON.parse(JSON.stringify(mixedReport())) as Record<string, any>;
    broken.runs[0].checks[2].status = 'ok';
    broken.runs[1].summary = { pass: 1 };
    broken.extra = true;
    broken.host.clockSkewMs = '140';
    const name = await file('schema.json', JSON.stringify(broken));
    const result = await golive(['report', name]);
    expect(result.code).toBe(2);
    const line = result.stderr.trimEnd();
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toMatch(/^golive: schema\.json is not a valid golive report: /);
    expect(line).toContain('(top level) has an unknown field "extra"');
    expect(line).toContain('/host/clockSkewMs must be number,null');
    expect(line).toContain('/runs/0/checks/2/status must be one of "pass", "warn", "fail", "skip"');
    expect(line).toMatch(/and \d+ more$/);
  });

  it('does not echo the file\'s content when it is not JSON (it may be any file)', async () => {
    const name = await file('secrets.env', 'THREDD_CLIENT_SECRET=CANARY-do-not-print\n');
    const result = await golive(['report', name]);
    expect(result.code).toBe(2);
    expect(result.stderr).not.toContain('CANARY');
  });

  it('a missing file: exit 2, one line', async () => {
    const result = await golive(['report', 'nope.json']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('golive: nope.json does not exist\n');
  });

  it('a folder: exit 2', async () => {
    const result = await golive(['report', 'a-folder']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/a-folder is a folder/);
  });

  it.each([
    [[], /needs the report file/],
    [['a.json', 'b.json'], /takes one report file/],
    [['x.json', '--format', 'yaml'], /--format must be one of pretty, plain, json, junit, markdown, github, sarif, html; got yaml/],
    [['x.json', '--nope'], /^golive: unknown option --nope$/m],
  ])('usage error for %j: exit 2 with the help pointer', async (args, reason) => {
    const result = await golive(['report', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(reason);
    expect(result.stderr).toMatch(/Run "golive report --help" for usage/);
  });

  it('--help prints the usage, every option and the exit codes', async () => {
    const result = await golive(['report', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: golive report <report\.json> \[options\]/);
    for (const option of ['--format', '--exit-code', '--debug', '--help']) expect(result.stdout).toContain(option);
    expect(result.stdout).toMatch(/Exit codes: 0 shown/);
  });

  it('redacts anything shaped like a token that a tampered report carries', async () => {
    const tampered = mixedReport();
    tampered.runs[0]!.checks[0]!.message = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhYmNkZWZnaCJ9.c2lnbmF0dXJl';
    tampered.runs[0]!.checks[0]!.status = 'warn';
    const name = await file('tampered.json', JSON.stringify(tampered));
    const result = await golive(['report', name]);
    expect(result.stderr).toBe('');
    expect(result.stdout).not.toContain('eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhYmNkZWZnaCJ9');
    expect(result.stdout).toContain('[redacted token]');
  });
});
