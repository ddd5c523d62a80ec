import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../checks/index.js';
import { junit } from '../../src/reporters/junit.js';
import { HOSTILE_TEXT, hostileReport, mixedReport, passingReport, strictReport } from '../support/report-fixtures.js';
import { findAll, parseXml, type XmlElement } from '../support/xml.js';

function testcase(root: XmlElement, suite: string, id: string): XmlElement {
  const found = findAll(root, 'testsuite')
    .find((s) => s.attributes['name'] === suite)
    ?.children.find((c) => c.name === 'testcase' && c.attributes['name'] === id);
  if (!found) throw new Error(`no testcase ${id} in ${suite}`);
  return found;
}

describe('junit reporter', () => {
  it.each([
    ['mixed', mixedReport],
    ['passing', passingReport],
    ['strict', strictReport],
    ['hostile', hostileReport],
  ])('writes a well-formed document for the %s report', (_name, build) => {
    expect(() => parseXml(junit(build(), { color: false }))).not.toThrow();
  });

  it('counts tests, failures, errors and skips on the root and each suite', () => {
    const root = parseXml(junit(mixedReport(), { color: false }));
    expect(root.attributes).toMatchObject({ tests: '38', failures: '3', errors: '1', skipped: '23', time: '0.812', timestamp: '2026-11-28T10:00:00.000Z' });
    const [prod, uat] = findAll(root, 'testsuite');
    expect(prod?.attributes).toMatchObject({ name: 'config/prod.yaml', tests: String(CHECKS.length), failures: '2', errors: '1', skipped: '6' });
    expect(uat?.attributes).toMatchObject({ name: 'config/uat.yaml', tests: String(CHECKS.length), failures: '1', errors: '0', skipped: '17' });
  });

  it('reports a failure with message, hint and evidence, and an internal error as <error>', () => {
    const root = parseXml(junit(mixedReport(), { color: false }));
    const failed = testcase(root, 'config/prod.yaml', 'jwks.signing-key');
    expect(failed.attributes).toMatchObject({ classname: 'golive.jwks', time: '0.003' });
    const failure = failed.children[0];
    expect(failure?.name).toBe('failure');
    expect(failure?.attributes['type']).toBe('jwks.signing-key');
    expect(failure?.text).toContain('hint: Register the signing certificate in the portal');
    expect(failure?.text).toContain('jwksKids: a1, b2');
    const internal = testcase(root, 'config/prod.yaml', 'network.api-endpoint');
    expect(internal.children.map((c) => c.name)).toEqual(['error']);
    expect(internal.children[0]?.attributes['message']).toBe('internal error in check network.api-endpoint');
  });

  it('passes a warning with <system-out>, but fails it under --strict', () => {
    const lenient = testcase(parseXml(junit(mixedReport(), { color: false })), 'config/prod.yaml', 'signing.certificate');
    expect(lenient.children.map((c) => c.name)).toEqual(['system-out']);
    expect(lenient.children[0]?.text).toMatch(/^warning: The signing certificate expires/);
    const strict = testcase(parseXml(junit(strictReport(), { color: false })), 'config/prod.yaml', 'signing.certificate');
    expect(strict.children.map((c) => c.name)).toEqual(['failure']);
  });

  it('marks skipped checks with their reason', () => {
    const skipped = testcase(parseXml(junit(mixedReport(), { color: false })), 'config/uat.yaml', 'config.references');
    expect(skipped.children[0]).toMatchObject({ name: 'skipped', attributes: { message: 'needs config.schema, which failed' } });
  });

  it('keeps hostile text intact where XML allows it and visible where it does not', () => {
    const output = junit(hostileReport(), { color: false });
    const failure = testcase(parseXml(output), 'odd dir/cfg,1:a%.yaml', 'config.schema').children[0];
    const message = failure?.attributes['message'] ?? '';
    expect(message).toContain('bad <tag attr="x" other=\'y\'> & ]]> | pipe');
    expect(message).toContain('\\u001B[31mred\\u001B[0m \\u0000nul \\u0007bell\nsecond line\n\u2028sep \\uD800 lone \\uFFFF');
    expect(failure?.text).toContain(`hint: ${'bad <tag attr="x"'}`);
    expect(output).not.toContain(']]>');
    expect(output).not.toContain('\u001b');
    expect(HOSTILE_TEXT).toContain('\u001b');
  });
});

describe('the test XML reader', () => {
  it.each([
    ['a raw < in an attribute', '<a b="<"/>'],
    ['a raw line break in an attribute', '<a b="x\ny"/>'],
    ['"]]>" in text', '<a>]]></a>'],
    ['a bare ampersand', '<a>&</a>'],
    ['an unknown entity', '<a>&nbsp;</a>'],
    ['a reference to a forbidden character', '<a>&#0;</a>'],
    ['a control character', '<a>\u0001</a>'],
    ['a lone surrogate', '<a>\ud800</a>'],
    ['mismatched tags', '<a><b></a></b>'],
    ['an unclosed element', '<a>'],
    ['two roots', '<a/><b/>'],
    ['duplicate attributes', '<a b="1" b="2"/>'],
  ])('rejects %s', (_name, doc) => {
    expect(() => parseXml(doc)).toThrow();
  });

  it('decodes references', () => {
    expect(parseXml('<a b="&lt;&#10;&apos;">&amp;&#x1F600;</a>')).toMatchObject({ attributes: { b: "<\n'" }, text: '&😀' });
  });
});
