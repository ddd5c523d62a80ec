import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { REPAIRS, encodePem, looksLikePem, parsePem } from '../../src/credentials/pem.js';
import { pemBody } from '../support/credentials.js';

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const der = privateKey.export({ type: 'pkcs8', format: 'der' });
const body = pemBody(pem);
const withBody = (text: string) => `-----BEGIN PRIVATE KEY-----\n${text.replace(/.{1,64}/g, '$&\n')}-----END PRIVATE KEY-----\n`;

describe('parsePem', () => {
  it('reads a clean block without repairs', () => {
    const parsed = parsePem(pem);
    expect(parsed).toEqual({ ok: true, blocks: [{ label: 'PRIVATE KEY', headers: {}, der }], repaired: [] });
  });

  it.each([
    ['CRLF line endings', pem.replace(/\n/g, '\r\n'), [REPAIRS.crlf]],
    ['literal \\n sequences', pem.replace(/\n/g, '\\n'), [REPAIRS.literalNewlines]],
    ['a one-line body', `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----\n`, [REPAIRS.lineBreaks]],
    ['everything on one line', `-----BEGIN PRIVATE KEY----- ${body} -----END PRIVATE KEY-----`, [REPAIRS.lineBreaks]],
    ['a byte order mark', `\uFEFF${pem}`, [REPAIRS.bom]],
    ['surrounding JSON quotes', JSON.stringify(pem), [REPAIRS.quotes, REPAIRS.literalNewlines]],
    ['YAML indentation', pem.replace(/^/gm, '  '), [REPAIRS.indentation]],
  ])('repairs %s and says so', (_name, text, repairs) => {
    const parsed = parsePem(text);
    expect(parsed.ok && parsed.blocks[0]!.der.equals(der)).toBe(true);
    expect(parsed.ok && parsed.repaired).toEqual(repairs);
  });

  it('keeps the headers of legacy encrypted keys', () => {
    const legacy = privateKey.export({ type: 'sec1', format: 'pem', cipher: 'aes-128-cbc', passphrase: 'pw' }) as string;
    const parsed = parsePem(legacy);
    expect(parsed.ok && parsed.blocks[0]!.headers['Proc-Type']).toBe('4,ENCRYPTED');
    expect(parsed.ok && parsePem(encodePem(parsed.blocks[0]!))).toEqual(parsed);
  });

  it.each([
    ['no BEGIN line', body, /no -----BEGIN line/],
    ['an END line only', `${body}\n-----END PRIVATE KEY-----\n`, /'-----END PRIVATE KEY-----' line but no BEGIN line/],
    ['a damaged first BEGIN line', `${pem.slice(1)}${pem}`, /the '-----END PRIVATE KEY-----' line on line \d+ has no BEGIN line before it/],
    ['no END line', pem.split('-----END')[0]!, /'-----BEGIN PRIVATE KEY-----' line has no matching END line: the file is truncated/],
    ['mismatched labels', pem.replace('END PRIVATE KEY', 'END RSA PRIVATE KEY'), /block ends with '-----END RSA PRIVATE KEY-----'/],
    ['an empty body', '-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n', /has no base64 body/],
    ['an invalid character', withBody(`${body.slice(0, 10)}*${body.slice(11)}`), /invalid character "\*" at position 11/],
    ['early padding', withBody(`${body.slice(0, 8)}=${body.slice(9)}`), /padding \('='\) at position 9/],
    ['a missing character', withBody(`${body.slice(0, 20)}${body.slice(21)}`), /not a multiple of 4: characters are missing/],
    ['a truncated body', `-----BEGIN PRIVATE KEY-----\n${body.slice(0, 80)}\n-----END PRIVATE KEY-----\n`, /does not hold valid DER \(.*declares \d+ bytes but only \d+ follow\): the file is truncated or corrupt/],
  ])('says what is wrong with %s', (_name, text, problem) => {
    const parsed = parsePem(text);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.problem).toMatch(problem);
  });

  it('detects PEM text', () => {
    expect(looksLikePem(Buffer.from(pem))).toBe(true);
    expect(looksLikePem(der)).toBe(false);
  });
});
