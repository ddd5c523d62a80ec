import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { html, PHASES } from '../../src/reporters/html.js';
import { reporters } from '../../src/reporters/index.js';
import { verdict } from '../../src/reporters/text.js';
import type { Report } from '../../src/report/types.js';
import { golive } from '../support/cli.js';
import { mixedReport, passingReport } from '../support/report-fixtures.js';
import { ENTRY_COUNT, goLiveReport, HOSTILE, olderReport, PHASE_COUNT, TIMELINES, timelineReport } from './html-fixtures.js';

const render = (report: Report) => html(report, { color: false });

/** The HTML escaping the reporter applies, to find a report's text in the page. */
const escaped = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function count(text: string, pattern: RegExp): number {
  return [...text.matchAll(pattern)].length;
}

/** The inside of each waterfall row. */
function waterfallRows(page: string): string[] {
  return [...page.matchAll(/<tr class="wf-row">([\s\S]*?)<\/tr>/g)].map((match) => match[1]!);
}

describe('html reporter', () => {
  it('is one self-contained page: no script, nothing fetched', () => {
    for (const page of [render(timelineReport()), render(mixedReport()), render(olderReport()), render(goLiveReport())]) {
      expect(page.startsWith('<!doctype html>')).toBe(true);
      expect(page).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`);
      expect(page).not.toMatch(/<script/i);
      expect(page).not.toMatch(/<(link|iframe|object|embed|img)\b/i);
      expect(page).not.toMatch(/@import/i);
      // No tag has an attribute that fetches or runs anything (text from the report is escaped, so every `<` here starts a real tag).
      const tags = page.match(/<[a-z][^>]*>/gi) ?? [];
      expect(tags.length).toBeGreaterThan(100);
      for (const tag of tags) expect(tag).not.toMatch(/\s(src|href|on[a-z]+)\s*=|url\(|https?:/i);
      expect(page.match(/<style>[\s\S]*<\/style>/)![0]).not.toMatch(/url\(|http/i);
    }
  });

  it('says the verdict as the plain reporter words it', () => {
    for (const report of [mixedReport(), passingReport(), timelineReport()]) {
      const page = render(report);
      expect(page).toContain(`<p class="verdict ${report.status}" id="verdict">${escaped(verdict(report))}</p>`);
      expect(page).toContain(`<title>golive ${report.command}: ${escaped(verdict(report))}</title>`);
    }
    expect(render(passingReport())).toContain('Ready for go-live');
  });

  it('lists every check of every run with its status, message, hint and expandable evidence', () => {
    const report = mixedReport();
    const page = render(report);
    const checks = report.runs.flatMap((run) => run.checks);
    expect(count(page, /<tr class="check" /g)).toBe(checks.length);
    for (const status of ['pass', 'warn', 'fail', 'skip'] as const) {
      expect(count(page, new RegExp(`<tr class="check" data-status="${status}">`, 'g'))).toBe(checks.filter((c) => c.status === status).length);
    }
    expect(page).toContain('<td class="status s-fail">ERROR</td>');
    const failed = checks.find((c) => c.id === 'jwks.signing-key')!;
    expect(page).toContain(escaped(failed.message!));
    expect(page).toContain(escaped(failed.hint!));
    expect(page).toContain(`<details><summary>evidence</summary><pre>${escaped(JSON.stringify(failed.evidence, null, 2))}</pre></details>`);
    expect(page).toContain('<h2>What to do next</h2>');
  });

  it('escapes messages, hints, evidence and labels: a <script> is text', () => {
    const page = render(timelineReport());
    expect(page).not.toContain('<script>');
    expect(page).not.toContain('<b>Acme</b>');
    expect(page).not.toContain('"x"');
    expect(page).not.toContain("'quoted'");
    // The message, the hint, the next step and the waterfall label show it as text; the evidence as JSON text.
    expect(count(page, new RegExp(escaped(HOSTILE).replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g'))).toBe(4);
    expect(page).toContain(escaped(JSON.stringify(HOSTILE)));
    expect(page).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;');
  });

  it('escapes hostile text in config paths, ids and titles, and neutralises control characters', () => {
    const report = mixedReport();
    const [first, ...rest] = report.runs;
    // Copies: the fixtures share their config objects with other tests.
    const [parse, ...checks] = first!.checks;
    report.runs = [{ ...first!, config: { ...first!.config, path: '"><svg onload=alert(1)>.yaml' }, checks: [{ ...parse!, title: '<iframe>\u001b[31m' }, ...checks] }, ...rest];
    const page = render(report);
    expect(page).not.toContain('<svg onload');
    expect(page).not.toContain('<iframe>');
    expect(page).not.toContain('\u001b');
    expect(page).toContain('&#60;iframe&#62;\\u001B[31m');
  });

  it('draws one waterfall row per timeline entry, one segment per phase, on one time axis', () => {
    const report = timelineReport();
    const page = render(report);
    const rows = waterfallRows(page);
    expect(rows).toHaveLength(ENTRY_COUNT);
    expect(count(page, /<rect class="p-[a-z]+" data-phase=/g)).toBe(PHASE_COUNT);
    // Rows by start time; each segment starts where the one before it ended, scaled to report.durationMs.
    const scale = 1000 / report.durationMs;
    const entries = Object.entries(TIMELINES)
      .flatMap(([id, items]) => items.map((item) => ({ id, ...item })))
      .sort((a, b) => a.atMs - b.atMs);
    entries.forEach((entry, index) => {
      const row = rows[index]!;
      expect(row).toContain(escaped(`${entry.id}: ${entry.kind} ${entry.label}`));
      const rects = [...row.matchAll(/<rect class="p-([a-z]+)" data-phase="\1" x="([\d.]+)" y="2" width="([\d.]+)"[^>]*><title>([^<]*)<\/title><\/rect>/g)];
      expect(rects.map((rect) => rect[1])).toEqual(entry.phases.map((phase) => phase.name));
      let at = entry.atMs;
      entry.phases.forEach((phase, i) => {
        expect(Number(rects[i]![2])).toBeCloseTo(at * scale, 1);
        expect(Number(rects[i]![3])).toBeCloseTo(Math.max(phase.ms * scale, 0.5), 1);
        expect(rects[i]![4]).toBe(`${phase.name} ${phase.ms} ms`);
        at += phase.ms;
      });
      // The times as text, for print and no-JS readers.
      expect(row).toContain(`${entry.phases.map((phase) => `${phase.name} ${phase.ms}`).join(', ')}`);
      if (entry.reused) expect(row).toContain('reused connection');
    });
    expect(page).toContain('0 … 812 ms since the run started');
    for (const phase of PHASES) expect(page).toContain(`<span><i class="p-${phase}"></i>${phase}</span>`);
  });

  it('falls back to an older report’s timings, drawn from 0, and says which checks have none', () => {
    const page = render(olderReport());
    const rows = waterfallRows(page);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('jwks.fetch');
    expect(rows[0]).toContain('wait 70, body 20; total 90 ms');
    expect(rows[1]).toContain('network.token-endpoint');
    expect([...rows[1]!.matchAll(/data-phase="([a-z]+)" x="([\d.]+)"/g)].map((m) => m[1])).toEqual(['dns', 'connect', 'tls', 'wait']);
    expect(rows[1]).toMatch(/data-phase="dns" x="0"/);
    expect(rows[1]).toContain('start unknown (older report)');
    // token.request ran and failed without timings; network.api-endpoint too; probe.call was skipped.
    expect(page).toMatch(/no timings: <code>network\.api-endpoint<\/code>, <code>token\.request<\/code><\/p>/);
  });

  it('has no waterfall when no network check ran', () => {
    const report = mixedReport();
    report.runs = [report.runs[1]!];
    expect(render(report)).not.toContain('Timing waterfall');
  });

  it('draws each certificate’s validity against today, and the go-live day when the report has one', () => {
    const page = render(timelineReport());
    expect(count(page, /<tr class="certificate">/g)).toBe(2);
    expect(page).toContain('valid 2026-01-01 to 2026-12-10; 11 days left (today 2026-11-28)');
    expect(page).toContain('<div class="valid expiring"');
    expect(page).toContain('<div class="valid ok"');
    expect(page).toContain('title="today 2026-11-28"');
    expect(page).not.toContain('go-live');

    const review = render(goLiveReport());
    expect(review).toContain('title="go-live 2026-12-15"');
    expect(review).toContain('go-live 2026-12-15 (expires before go-live)');
    expect(review).toContain('migration.lifetimes: signing.certificate CN=acme-signing');
  });

  it('is registered as a format', () => {
    expect(reporters.html).toBe(html);
  });
});

describe('html from the CLI', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'golive-html-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('golive report --format html renders a JSON report', async () => {
    const report = timelineReport();
    await writeFile(path.join(dir, 'report.json'), reporters.json(report, { color: false }));
    const result = await golive(['report', 'report.json', '--format', 'html'], dir);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(render(report));
  });

  it('golive check --html FILE writes the page, the same report as --json', async () => {
    const result = await golive(['check', '--offline', '--json', 'out.json', '--html', 'out.html', 'nosuch.yaml'], dir);
    expect(result.code, result.stderr).toBe(1);
    const page = await readFile(path.join(dir, 'out.html'), 'utf8');
    const report = JSON.parse(await readFile(path.join(dir, 'out.json'), 'utf8')) as Report;
    expect(page).toBe(render(report));
    expect(page).toContain('Not ready: 1 check failed');
  });

  it('golive diff --html FILE writes the migration review', async () => {
    const result = await golive(['diff', 'uat.yaml', 'prod.yaml', '--json', 'diff.json', '--html', 'diff.html'], dir);
    expect(result.code, result.stderr).toBe(1);
    const report = JSON.parse(await readFile(path.join(dir, 'diff.json'), 'utf8')) as Report;
    expect(report.command).toBe('diff');
    expect(await readFile(path.join(dir, 'diff.html'), 'utf8')).toBe(render(report));
  });

  it('golive check --html never replaces the config it reads', async () => {
    await writeFile(path.join(dir, 'golive.yaml'), 'profile: thredd\n');
    const result = await golive(['check', '--offline', '--html', 'golive.yaml', 'golive.yaml'], dir);
    expect(result.code).toBe(2);
    expect(await readFile(path.join(dir, 'golive.yaml'), 'utf8')).toBe('profile: thredd\n');
  });
});
