import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { html } from '../../src/reporters/html.js';
import { ROOT } from '../support/cli.js';
import { ENTRY_COUNT, PHASE_COUNT, timelineReport } from './html-fixtures.js';

// The HTML report in a real browser: Debian's chromium, headless, from a
// file:// URL. .ci/run installs it; where it is missing the test is skipped
// and its name says so.

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((file) => existsSync(file));
const OUT = path.join(ROOT, 'test-output');
const PAGE = path.join(OUT, 'html-report.html');
const SCREENSHOT = path.join(OUT, 'html-report.png');
/** A page that breaks the rules, to prove the console check sees what it looks for. */
const CONTROL = path.join(OUT, 'html-report-control.html');

interface Run {
  stdout: string;
  stderr: string;
}

function chromium(args: readonly string[], profile: string): Promise<Run> {
  const flags = ['--headless=new', '--disable-gpu', '--no-sandbox', '--no-first-run', '--enable-logging=stderr', '--v=0', `--user-data-dir=${profile}`];
  return new Promise((resolve, reject) => {
    execFile(CHROMIUM!, [...flags, ...args], { timeout: 45_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`chromium ${args.join(' ')}: ${error.message}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}

/** What the page said on the browser console: errors, blocked loads and scripts (the CSP reports them there). */
const consoleLines = (stderr: string) => stderr.split('\n').filter((line) => line.includes(':CONSOLE'));

describe.skipIf(!CHROMIUM)(`html report in headless chromium${CHROMIUM ? '' : ' (skipped: chromium is not installed; apt-get install chromium)'}`, () => {
  let dom: Run;
  let control: Run;
  let profiles: string;

  beforeAll(async () => {
    await mkdir(OUT, { recursive: true });
    profiles = await mkdtemp(path.join(tmpdir(), 'golive-chromium-'));
    const page = html(timelineReport(), { color: false });
    await writeFile(PAGE, page);
    // The report's own head (its CSP) with a script and a remote image slipped in, as an escaping bug would let through.
    await writeFile(CONTROL, page.replace('<body>', '<body><img src="http://127.0.0.1:9/x.png"><script>console.error("ran")</script>'));
    const url = pathToFileURL(PAGE).href;
    // Separate profiles, so the three browsers can run at once.
    [dom, control] = await Promise.all([
      chromium(['--dump-dom', url], path.join(profiles, 'dom')),
      chromium(['--dump-dom', pathToFileURL(CONTROL).href], path.join(profiles, 'control')),
      chromium([`--screenshot=${SCREENSHOT}`, '--window-size=1280,2000', '--hide-scrollbars', url], path.join(profiles, 'shot')),
    ]);
  }, 60_000);

  afterAll(async () => {
    if (profiles) await rm(profiles, { recursive: true, force: true });
  });

  it('loads the page without a console message: nothing blocked, nothing failed', () => {
    expect(consoleLines(dom.stderr)).toEqual([]);
    // The same check on a page with a script and a remote image: both are blocked and reported.
    const seen = consoleLines(control.stderr).join('\n');
    expect(seen).toContain('http://127.0.0.1:9/x.png');
    expect(seen).toMatch(/inline script/i);
  });

  it('renders the verdict and the waterfall, one bar per phase', () => {
    expect(dom.stdout).toContain('Not ready: 1 check failed');
    expect(dom.stdout.match(/<tr class="wf-row">/g)).toHaveLength(ENTRY_COUNT);
    expect(dom.stdout.match(/<rect class="p-[a-z]+" data-phase="[a-z]+"/g)).toHaveLength(PHASE_COUNT);
    // The hostile label stayed text: the DOM holds no element the report's strings could have made.
    expect(dom.stdout).not.toMatch(/<script|<img/i);
    expect(dom.stdout).toContain('&lt;script&gt;alert("x")&lt;/script&gt;');
  });

  it('writes a screenshot', async () => {
    expect((await stat(SCREENSHOT)).size).toBeGreaterThan(10_000);
  });
});
