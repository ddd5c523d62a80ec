import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { github } from '../../src/reporters/github.js';
import { junit } from '../../src/reporters/junit.js';
import { plain } from '../../src/reporters/plain.js';
import { pretty } from '../../src/reporters/pretty.js';
import { reportWithText } from '../support/report-fixtures.js';
import { findAll, parseXml } from '../support/xml.js';

// Any UTF-16 code unit (lone surrogates included) or any code point.
const anyText = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)) }),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.constantFrom('<', '>', '&', '"', "'", ']]>', '\r', '\n', '\t', '%', ':', ',', '\u0000', '\u001b', ' ', 'a') }),
);

// Text a reporter can show as it is: no control characters besides tab and line feed, no lone surrogates.
const printableText = fc
  .string({ unit: fc.oneof(fc.constantFrom('<', '>', '&', '"', "'", ']]>', '\n', '\t', '%', ':', ','), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })) })
  .filter((text) => !/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\ufffe\uffff]/.test(text));

describe('reporters on arbitrary messages and hints', () => {
  it('junit stays well-formed', () => {
    fc.assert(
      fc.property(anyText, anyText, fc.boolean(), (message, hint, strict) => {
        parseXml(junit(reportWithText(message, hint, strict), { color: false }));
      }),
    );
  });

  it('junit carries printable text unchanged', () => {
    fc.assert(
      fc.property(printableText, printableText, (message, hint) => {
        const root = parseXml(junit(reportWithText(message, hint), { color: false }));
        const [failure] = findAll(root, 'failure');
        expect(failure?.attributes['message']).toBe(message || 'Config matches the schema');
        const details = [message, hint && `hint: ${hint}`].filter(Boolean).join('\n\n');
        expect(failure?.text.startsWith(details)).toBe(true);
      }),
    );
  });

  it('github writes one line per command, never a raw line break inside one', () => {
    fc.assert(
      fc.property(anyText, anyText, fc.boolean(), (message, hint, strict) => {
        const output = github(reportWithText(message, hint, strict), { color: false });
        expect(output).not.toContain('\r');
        const lines = output.slice(0, -1).split('\n');
        // A failure, a warning, an internal error, then the summary and the verdict.
        expect(lines).toHaveLength(5);
        for (const line of lines.slice(0, 3)) expect(line).toMatch(/^::(error|warning) [^:]*::/);
        expect(lines[1]?.startsWith(strict ? '::error ' : '::warning ')).toBe(true);
      }),
    );
  });

  it('github data decodes back to the message and hint', () => {
    fc.assert(
      fc.property(printableText, printableText, (message, hint) => {
        const [first = ''] = github(reportWithText(message, hint), { color: false }).split('\n');
        const data = first.slice(first.indexOf('::', 2) + 2);
        const decoded = data.replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%');
        expect(decoded).toBe([message || 'Config matches the schema', hint].filter(Boolean).join(' — '));
      }),
    );
  });

  it('plain and colourless pretty never write an escape character', () => {
    fc.assert(
      fc.property(anyText, anyText, (message, hint) => {
        const report = reportWithText(message, hint);
        expect(plain(report, { color: false })).not.toMatch(/[\u001b\u009b]/);
        expect(pretty(report, { color: false })).not.toMatch(/[\u001b\u009b]/);
      }),
    );
  });
});
