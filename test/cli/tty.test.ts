import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../../checks/index.js';
import { BASE_ENV, CLI } from '../support/cli.js';

// The built CLI under a real pseudo-terminal (util-linux `script`), sized with
// stty; what a person sees is the final screen after every cursor movement.

interface Terminal {
  columns: number;
  rows: number;
}

/** Runs `golive ARGS` with stdout on a pseudo-terminal of the given size; resolves to everything written to it. */
function underTerminal(args: readonly string[], cwd: string, { columns, rows }: Terminal): Promise<string> {
  const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;
  const command = `stty cols ${columns} rows ${rows}; exec ${[process.execPath, '--', CLI, ...args].map(quote).join(' ')}`;
  const { NO_COLOR: _noColor, ...env } = BASE_ENV;
  return new Promise((resolve, reject) => {
    execFile(
      'script',
      ['-qfec', command, '/dev/null'],
      { cwd, env: { ...env, TERM: 'xterm-256color', HOME: cwd, X: 'value' }, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout) => (error && typeof error.code !== 'number' ? reject(error) : resolve(stdout)),
    );
  });
}

/**
 * The text a terminal of `rows` rows holds (scrollback included) after
 * `raw`: line feeds, carriage returns, erase-line and cursor up/column moves
 * applied; colours and other sequences dropped. The cursor cannot move up
 * out of the visible screen, as in a real terminal.
 */
function screen(raw: string, rows: number): string {
  const lines: string[][] = [[]];
  let row = 0;
  let column = 0;
  const tokens = /\u001b\[([?0-9;]*)([A-Za-z])|\u001b\][^\u0007]*\u0007|\u001b[()][A-Z0-9]|\r|\n|[^\u001b\r\n]/gu;
  for (const [token, parameters, command] of raw.matchAll(tokens)) {
    if (token === '\r') column = 0;
    else if (token === '\n') {
      row += 1;
      if (row === lines.length) lines.push([]);
    } else if (command === 'K') lines[row] = [];
    else if (command === 'A') row = Math.max(row - Number(parameters || 1), Math.max(0, lines.length - rows));
    else if (command === 'G') column = Number(parameters || 1) - 1;
    else if (command === undefined && !token.startsWith('\u001b')) {
      const line = lines[row]!;
      while (line.length < column) line.push(' ');
      line[column] = token;
      column += 1;
    }
  }
  return lines.map((line) => line.join('').trimEnd()).join('\n').trim();
}

const occurrences = (text: string, word: string) => text.split(word).length - 1;

const GOOD = `profile: thredd
environment: uat
connectivity: tls
region: 0
organisationId: org
client:
  id: abc
  authMethod: client_secret_post
  secret: "\${X}"
`;

// Three schema errors: a value outside the set, a misspelt key, a number for a list.
const THREE_ERRORS = `${GOOD.replace('environment: uat', 'environment: prod').replace('secret:', 'secrt:')}probe:\n  expectStatus: 200\n`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'golive-tty-'));
  await writeFile(path.join(dir, 'good.yaml'), GOOD);
  await writeFile(path.join(dir, 'bad.yaml'), THREE_ERRORS);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('golive check on a terminal', () => {
  it.each([
    { name: 'taller than the list', columns: 200, rows: 60 },
    { name: 'shorter than the list', columns: 200, rows: 10 },
  ])('shows each check once: the live list is erased before the report (terminal $name)', async ({ columns, rows }) => {
    const raw = await underTerminal(['check', '--offline', 'good.yaml'], dir, { columns, rows });
    // The live list ran: its titles were drawn.
    expect(raw).toContain('Config file parses');
    const shown = screen(raw, rows);
    const words = shown.split(/[\s,]+/);
    for (const check of CHECKS) {
      expect(words.filter((word) => word === check.id), check.id).toHaveLength(1);
      expect(occurrences(shown, check.title), check.title).toBeLessThanOrEqual(1);
    }
    expect(shown.split('\n')[0]).toMatch(/^golive \S+ check \(Node /);
    expect(shown).toMatch(/No problems found, but 9 checks did not run/);
  });

  it('gives plain output, not one character per line, on a terminal that reports 0 columns', async () => {
    const raw = await underTerminal(['check', '--offline', 'good.yaml'], dir, { columns: 0, rows: 0 });
    expect(raw).not.toMatch(/\u001b/);
    const lines = raw.replace(/\r\n/g, '\n').trimEnd().split('\n');
    expect(lines[0]).toMatch(/^golive \S+ check \(Node /);
    expect(lines.some((line) => /^ {2}PASS {2}config\.parse +Config file parses {2}\(\d+ ms\)$/.test(line))).toBe(true);
    expect(lines.filter((line) => line.trim().length === 1)).toEqual([]);
    expect(lines.at(-1)).toMatch(/^No problems found, but 9 checks did not run/);
  });

  it('prints three schema errors on three lines, each with its line:column and its own hint', async () => {
    const shown = screen(await underTerminal(['check', '--offline', 'bad.yaml'], dir, { columns: 200, rows: 60 }), 60);
    const lines = shown.split('\n').map((line) => line.trim());
    const first = lines.indexOf('3 problems in bad.yaml, one per line:');
    expect(first).toBeGreaterThan(0);
    expect(lines.slice(first + 1, first + 4)).toEqual([
      'bad.yaml:2:14 environment must be one of uat, production; got "prod". Set environment to one of uat, production.',
      'bad.yaml:9:3 unknown key "secrt" in client; did you mean "secret"? Rename the key secrt to secret.',
      'bad.yaml:11:17 probe.expectStatus must be a list; got number. Write probe.expectStatus as a list.',
    ]);
    expect(lines[first + 4]).toBe('→ Fix each line as it says. `golive schema config` prints every allowed key and value.');
    expect(occurrences(shown, '✖ config.schema')).toBe(2); // its row, and "What to do next"
  });
});
