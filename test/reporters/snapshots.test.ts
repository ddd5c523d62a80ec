import { describe, expect, it } from 'vitest';
import { reporters, type ReporterName } from '../../src/reporters/index.js';
import { mixedReport, passingReport, strictReport } from '../support/report-fixtures.js';

const EXTENSIONS: Record<ReporterName, string> = {
  pretty: 'ansi.txt',
  plain: 'txt',
  json: 'json',
  junit: 'xml',
  markdown: 'md',
  github: 'txt',
  sarif: 'sarif.json',
  html: 'html',
};

const FIXTURES = { mixed: mixedReport, passing: passingReport, strict: strictReport };

describe.each(Object.keys(reporters) as ReporterName[])('%s reporter', (name) => {
  it.each(Object.keys(FIXTURES) as Array<keyof typeof FIXTURES>)('renders the %s report', async (fixture) => {
    const output = reporters[name](FIXTURES[fixture](), { color: true });
    await expect(output).toMatchFileSnapshot(`__snapshots__/${name}.${fixture}.${EXTENSIONS[name]}`);
  });
});

describe('pretty reporter without colour', () => {
  it('renders the mixed report', async () => {
    await expect(reporters.pretty(mixedReport(), { color: false })).toMatchFileSnapshot('__snapshots__/pretty.mixed.nocolor.txt');
  });
});
