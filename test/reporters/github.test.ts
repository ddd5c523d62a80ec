import { describe, expect, it } from 'vitest';
import { github } from '../../src/reporters/github.js';
import { hostileReport, mixedReport, strictReport } from '../support/report-fixtures.js';

describe('github reporter', () => {
  it('annotates failures as errors and warnings as warnings, with the file position of config findings', () => {
    const lines = github(mixedReport(), { color: false }).trimEnd().split('\n');
    expect(lines).toContain(
      '::error file=config/uat.yaml,line=7,col=3,title=config.schema::client.clientid is not a known key. — Did you mean client.id? Rename the key.',
    );
    expect(lines.filter((line) => line.startsWith('::error '))).toHaveLength(4);
    expect(lines.filter((line) => line.startsWith('::warning '))).toHaveLength(2);
    expect(lines.find((line) => line.includes('title=jwks.signing-key'))).toMatch(/^::error title=jwks\.signing-key::config\/prod\.yaml: The signing key/);
    expect(lines.at(-1)).toMatch(/^Not ready: 4 checks failed/);
  });

  it('turns warnings into errors under --strict', () => {
    expect(github(strictReport(), { color: false })).toMatch(/^::error title=signing\.certificate::/);
  });

  it('escapes properties and data', () => {
    const [first] = github(hostileReport(), { color: false }).split('\n');
    expect(first).toMatch(/^::error file=odd dir\/cfg%2C1%3Aa%25\.yaml,line=2,col=4,title=config\.schema::bad </);
    expect(first).toContain('colon 100%25 \\u001B[31mred');
    expect(first).toContain('bell%0Asecond line%0A');
  });
});
