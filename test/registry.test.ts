import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHECK_IDS, CHECKS } from '../checks/index.js';
import { MIGRATION_CHECKS } from '../checks/migration/index.js';
import type { AnyCheck } from '../src/pipeline/check.js';

// The meta-test of "adding a check": every registered check is documented,
// tested and listed in the README, and needs only checks registered before it.

const REGISTRIES: ReadonlyArray<readonly [string, readonly AnyCheck[]]> = [
  ['golive check', CHECKS],
  ['golive diff', MIGRATION_CHECKS],
];
const ALL_IDS = REGISTRIES.flatMap(([, checks]) => checks.map((check) => check.id));
const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** DESIGN.md, beside the project in development and CI. */
const DESIGN = new URL('../../shared/DESIGN.md', import.meta.url);

describe.each(REGISTRIES)('the %s registry', (_name, checks) => {
  it('has each id once, as a dotted lowercase id', () => {
    const ids = checks.map((check) => check.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z]+(\.[a-z][a-z-]*)+$/);
  });

  it.each(checks.map((check) => [check.id, check] as const))('%s needs only checks registered before it', (_id, check) => {
    const before = new Set(checks.slice(0, checks.indexOf(check)));
    for (const need of [...check.needs, ...check.optionalNeeds]) expect(before.has(need), need.id).toBe(true);
  });

  it.each(checks.map((check) => [check.id, check] as const))('%s is documented: what it verifies, causes, fixes, related checks', (id, check) => {
    const { explain } = check;
    expect(check.title.trim()).not.toBe('');
    expect(check.title.length).toBeLessThanOrEqual(45);
    expect(explain.verifies.length).toBeGreaterThan(20);
    expect(explain.causes.length).toBeGreaterThan(0);
    expect(explain.fixes.length).toBeGreaterThan(0);
    for (const line of [...explain.causes, ...explain.fixes]) expect(line.trim()).not.toBe('');
    for (const other of explain.seeAlso ?? []) {
      expect(ALL_IDS).toContain(other);
      expect(other).not.toBe(id);
    }
  });

  it.each(checks.map((check) => [check.id]))('%s has a test file', (id) => {
    expect(existsSync(new URL(`./checks/${id}.test.ts`, import.meta.url))).toBe(true);
  });

  it('gives titles that tell its checks apart', () => {
    const titles = checks.map((check) => check.title);
    expect(new Set(titles).size).toBe(titles.length);
  });

  it('is listed in the README, in report order, with titles and needs', () => {
    const rows = checks.map((check) => {
      const needs = check.needs.map((need) => `\`${need.id}\``).join(', ') || '—';
      return `| \`${check.id}\` | ${check.title} | ${needs} |`;
    });
    expect(README).toContain(rows.join('\n'));
  });
});

describe('the check ids', () => {
  // Reported as skipped, never as passed, where ../shared is not beside the project.
  it.skipIf(!existsSync(DESIGN))('keep the contract: DESIGN.md ids, in its order, with the needs it documents', () => {
    const design = readFileSync(DESIGN, 'utf8');
    const table = design.slice(design.indexOf('### Check ids'), design.indexOf('`--offline` runs'));
    const rows = [...table.matchAll(/^\| (`[^|]+`) \| ([^|]+) \|/gm)];
    const documented = rows.flatMap(([, ids, needs]) => [...ids!.matchAll(/`([^`]+)`/g)].map(([, id]) => [id!, needs!.trim()] as const));
    expect(CHECK_IDS).toEqual(documented.map(([id]) => id));
    for (const [id, needs] of documented) {
      if (needs === 'as above') continue;
      const check = CHECKS.find((candidate) => candidate.id === id)!;
      const named = CHECK_IDS.filter((other) => new RegExp(`(^|[ ,])${other.replace('.', '\\.')}($|[ ,])`).test(needs));
      expect(check.needs.map((need) => need.id).sort(), id).toEqual(named.sort());
    }
  });

  it('keep migration checks out of the check registry', () => {
    expect(CHECKS.some((check) => check.id.startsWith('migration.'))).toBe(false);
    expect(MIGRATION_CHECKS.every((check) => check.id.startsWith('migration.'))).toBe(true);
  });
});
