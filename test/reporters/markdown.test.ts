import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../checks/index.js';
import { markdown } from '../../src/reporters/markdown.js';
import { hostileReport, mixedReport } from '../support/report-fixtures.js';

/** Cell separators: pipes not escaped by a backslash. */
function unescapedPipes(row: string): number {
  let count = 0;
  for (let i = 0; i < row.length; i += 1) {
    if (row[i] === '\\') i += 1;
    else if (row[i] === '|') count += 1;
  }
  return count;
}

describe('markdown reporter', () => {
  it('writes one table row per check and a what-to-do-next list', () => {
    const output = markdown(mixedReport(), { color: false });
    const rows = output.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| Status') && !line.startsWith('| ---'));
    expect(rows).toHaveLength(38);
    expect(output).toContain('| ❌ internal error | `network.api-endpoint` | API host reachable over TLS | internal error in check network.api-endpoint |');
    expect(output).toContain('### What to do next\n\n1. ❌ `jwks.signing-key` (`config/prod.yaml`): Register the signing certificate');
  });

  it('keeps hostile text inside its cell', () => {
    const rows = markdown(hostileReport(), { color: false })
      .split('\n')
      .filter((line) => line.startsWith('| '));
    expect(rows.length).toBe(2 + CHECKS.length);
    for (const row of rows) expect(unescapedPipes(row)).toBe(5);
    const schemaRow = rows.find((row) => row.includes('`config.schema`')) ?? '';
    expect(schemaRow).toContain('bad \\<tag attr="x" other=\'y\'\\> & \\]\\]\\> \\| pipe');
    expect(schemaRow).toContain('bell<br>second line<br>');
    expect(schemaRow).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
  });

  it('leaves underscores inside words alone', () => {
    expect(markdown(mixedReport(), { color: false })).toContain('auth private_key_jwt');
  });
});
