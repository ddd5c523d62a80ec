import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MIGRATION_IDS } from '../../checks/migration/ids.js';
import { MIGRATION_CHECKS } from '../../checks/migration/index.js';
import { MIGRATION_EXPLANATIONS } from '../../checks/migration/explain.js';
import { CHECKS } from '../../checks/index.js';
import { CHECK_IDS } from '../../checks/ids.js';

describe('migration check registry', () => {
  it('registers every migration id once, in report order', () => {
    expect(MIGRATION_CHECKS.map((check) => check.id)).toEqual([...MIGRATION_IDS]);
    expect(new Set(MIGRATION_IDS).size).toBe(MIGRATION_IDS.length);
  });

  it('stays out of the check registry', () => {
    expect(CHECKS.some((check) => check.id.startsWith('migration.'))).toBe(false);
  });

  it.each(MIGRATION_CHECKS.map((check) => [check.id, check] as const))('%s needs only checks registered before it', (_id, check) => {
    const before = MIGRATION_CHECKS.slice(0, MIGRATION_CHECKS.indexOf(check)).map((other) => other.id as string);
    for (const need of check.needs) expect(before).toContain(need);
  });

  it.each(MIGRATION_CHECKS.map((check) => [check.id, check] as const))('%s has an explain entry with its title, causes and fixes', (id, check) => {
    const explanation = MIGRATION_EXPLANATIONS[id];
    expect(explanation.title).toBe(check.title);
    expect(explanation.title.length).toBeLessThanOrEqual(45);
    expect(explanation.verifies.length).toBeGreaterThan(20);
    expect(explanation.causes.length).toBeGreaterThan(0);
    expect(explanation.fixes.length).toBeGreaterThan(0);
    for (const other of explanation.seeAlso ?? []) {
      expect([...MIGRATION_IDS, ...CHECK_IDS]).toContain(other);
      expect(other).not.toBe(id);
    }
  });

  it.each(MIGRATION_IDS.map((id) => [id]))('%s has a test file', (id) => {
    expect(existsSync(new URL(`../checks/${id}.test.ts`, import.meta.url))).toBe(true);
  });

  it('documents exactly the migration ids, with titles that tell them apart', () => {
    expect(Object.keys(MIGRATION_EXPLANATIONS)).toEqual([...MIGRATION_IDS]);
    const titles = MIGRATION_IDS.map((id) => MIGRATION_EXPLANATIONS[id].title);
    expect(new Set(titles).size).toBe(titles.length);
  });
});
