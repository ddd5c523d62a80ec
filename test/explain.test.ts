import { describe, expect, it } from 'vitest';
import { DOCUMENTED_NEEDS, EXPLANATIONS, formatExplanation, listExplanations } from '../checks/explain.js';
import { CHECK_IDS } from '../checks/ids.js';

const ANSI = /\u001b\[/;

describe('EXPLANATIONS', () => {
  it('documents exactly the check ids', () => {
    expect(Object.keys(EXPLANATIONS).sort()).toEqual([...CHECK_IDS].sort());
  });

  it.each(CHECK_IDS)('%s has a title, what it verifies, causes and fixes', (id) => {
    const explanation = EXPLANATIONS[id];
    expect(explanation.title.trim()).not.toBe('');
    expect(explanation.title.length).toBeLessThanOrEqual(45);
    expect(explanation.verifies.trim()).not.toBe('');
    expect(explanation.causes.length).toBeGreaterThan(0);
    expect(explanation.fixes.length).toBeGreaterThan(0);
    for (const line of [...explanation.causes, ...explanation.fixes]) expect(line.trim()).not.toBe('');
  });

  it('links only to real checks, never to itself', () => {
    for (const id of CHECK_IDS) {
      for (const other of EXPLANATIONS[id].seeAlso ?? []) {
        expect(CHECK_IDS).toContain(other);
        expect(other).not.toBe(id);
      }
      for (const need of DOCUMENTED_NEEDS[id]) {
        expect(CHECK_IDS.indexOf(need)).toBeLessThan(CHECK_IDS.indexOf(id));
      }
    }
  });

  it('gives titles that tell checks apart', () => {
    const titles = CHECK_IDS.map((id) => EXPLANATIONS[id].title);
    expect(new Set(titles).size).toBe(titles.length);
  });

  it('names the audience mismatch support sees most for private_key_jwt', () => {
    const causes = EXPLANATIONS['token.request'].causes.join('\n');
    expect(causes).toContain('www.threddid.com/oauth2/token');
    expect(causes).toContain('https://threddid.com/oauth2/token');
  });

  it('sends proxy users to http.ca, never to turning verification off', () => {
    for (const id of ['network.token-endpoint', 'network.api-endpoint'] as const) {
      const fixes = EXPLANATIONS[id].fixes.join('\n');
      expect(fixes).toContain('http.ca');
      expect(fixes).toMatch(/never disable certificate verification/i);
    }
  });
});

describe('formatExplanation', () => {
  it.each(CHECK_IDS)('%s renders plain text with every heading', (id) => {
    const text = formatExplanation(id, { color: false });
    expect(text).toContain(id);
    expect(text).toContain(EXPLANATIONS[id].title);
    expect(text).not.toMatch(ANSI);
    for (const heading of ['What it verifies', 'Common causes', 'How to fix', 'Needs']) {
      expect(text).toMatch(new RegExp(`^${heading}$`, 'm'));
    }
    for (const fix of EXPLANATIONS[id].fixes) {
      expect(text.replace(/\s+/g, ' ')).toContain(fix.replace(/\s+/g, ' '));
    }
  });

  it('keeps commands whole when wrapping', () => {
    const text = formatExplanation('jwks.signing-key', { color: false });
    expect(text).toContain('`openssl x509 -in signing.pem -noout -fingerprint -sha256`');
  });

  it('wraps prose to the terminal width', () => {
    const text = formatExplanation('config.consistency', { color: false });
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(78);
  });

  it('lists needs and see-also checks', () => {
    const text = formatExplanation('jwks.signing-key', { color: false });
    expect(text).toMatch(/^Needs\n {2}jwks\.fetch, signing\.keypair$/m);
    expect(text).toMatch(/^See also$/m);
    expect(text).toContain('golive explain token.request');
    expect(formatExplanation('config.parse', { color: false })).toMatch(/^Needs\n {2}nothing/m);
  });

  it('uses ANSI only for emphasis when color is on', () => {
    const colored = formatExplanation('token.request', { color: true });
    expect(colored).toMatch(ANSI);
    expect(colored.replace(/\u001b\[\d+m/g, '')).toBe(formatExplanation('token.request', { color: false }));
  });
});

describe('listExplanations', () => {
  it('lists every id in report order with its title, ids padded to one column', () => {
    const lines = listExplanations().split('\n');
    expect(lines).toHaveLength(CHECK_IDS.length);
    const width = Math.max(...CHECK_IDS.map((id) => id.length));
    lines.forEach((line, index) => {
      const id = CHECK_IDS[index]!;
      expect(line).toBe(`${id.padEnd(width)}  ${EXPLANATIONS[id].title}`);
    });
    expect(listExplanations()).not.toMatch(ANSI);
  });
});
