import { describe, expect, it } from 'vitest';
import { CHECKS } from '../checks/index.js';
import { MIGRATION_CHECKS } from '../checks/migration/index.js';
import configConsistency from '../checks/config.consistency.js';
import configParse from '../checks/config.parse.js';
import jwksSigningKey from '../checks/jwks.signing-key.js';
import networkApiEndpoint from '../checks/network.api-endpoint.js';
import networkTokenEndpoint from '../checks/network.token-endpoint.js';
import tokenRequest from '../checks/token.request.js';
import { formatExplanationPage, listExplanations } from '../src/cli/explain-page.js';

const ANSI = /\u001b\[/;

describe('check documentation', () => {
  it('names the audience mismatch support sees most for private_key_jwt', () => {
    const causes = tokenRequest.explain.causes.join('\n');
    expect(causes).toContain('www.threddid.com/oauth2/token');
    expect(causes).toContain('https://threddid.com/oauth2/token');
  });

  it('sends proxy users to http.ca, never to turning verification off', () => {
    for (const check of [networkTokenEndpoint, networkApiEndpoint]) {
      const fixes = check.explain.fixes.join('\n');
      expect(fixes).toContain('http.ca');
      expect(fixes).toMatch(/never disable certificate verification/i);
    }
  });
});

describe('formatExplanationPage', () => {
  it.each([...CHECKS, ...MIGRATION_CHECKS].map((check) => [check.id, check] as const))('%s renders plain text with every heading', (id, check) => {
    const text = formatExplanationPage(check, { color: false });
    expect(text.split('\n')[0]).toBe(`${id}: ${check.title}`);
    expect(text).not.toMatch(ANSI);
    for (const heading of ['What it verifies', 'Common causes', 'How to fix', 'Needs']) {
      expect(text).toMatch(new RegExp(`^${heading}$`, 'm'));
    }
    for (const fix of check.explain.fixes) {
      expect(text.replace(/\s+/g, ' ')).toContain(fix.replace(/\s+/g, ' '));
    }
  });

  it('keeps commands whole when wrapping', () => {
    const text = formatExplanationPage(jwksSigningKey, { color: false });
    expect(text).toContain('`openssl x509 -in signing.pem -noout -fingerprint -sha256`');
  });

  it('wraps prose to the terminal width', () => {
    const text = formatExplanationPage(configConsistency, { color: false });
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(78);
  });

  it('lists needs from the check itself, and see-also checks', () => {
    const text = formatExplanationPage(jwksSigningKey, { color: false });
    expect(text).toMatch(/^Needs\n {2}jwks\.fetch, signing\.keypair$/m);
    expect(text).toMatch(/^See also$/m);
    expect(text).toContain('golive explain token.request');
    expect(formatExplanationPage(configParse, { color: false })).toMatch(/^Needs\n {2}nothing/m);
    const migration = MIGRATION_CHECKS.find((check) => check.id === 'migration.environments')!;
    expect(formatExplanationPage(migration, { color: false })).toMatch(/^Needs\n {2}migration\.load$/m);
  });

  it('uses ANSI only for emphasis when color is on', () => {
    const colored = formatExplanationPage(tokenRequest, { color: true });
    expect(colored).toMatch(ANSI);
    expect(colored.replace(/\u001b\[\d+m/g, '')).toBe(formatExplanationPage(tokenRequest, { color: false }));
  });
});

describe('listExplanations', () => {
  it('lists every id in registry order with its title, ids padded to one column', () => {
    const lines = listExplanations(CHECKS).split('\n');
    expect(lines).toHaveLength(CHECKS.length);
    const width = Math.max(...CHECKS.map((check) => check.id.length));
    lines.forEach((line, index) => expect(line).toBe(`${CHECKS[index]!.id.padEnd(width)}  ${CHECKS[index]!.title}`));
    expect(listExplanations(CHECKS)).not.toMatch(ANSI);
  });
});
