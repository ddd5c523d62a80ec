import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../checks/index.js';
import { CHECK_IDS } from '../checks/ids.js';
import { DOCUMENTED_NEEDS, EXPLANATIONS } from '../checks/explain.js';

describe('check registry', () => {
  it('registers every DESIGN.md id once, in report order', () => {
    expect(CHECKS.map((check) => check.id)).toEqual([...CHECK_IDS]);
  });

  it.each(CHECKS.map((check) => [check.id, check] as const))('%s needs only checks registered before it', (_id, check) => {
    const before = CHECKS.slice(0, CHECKS.indexOf(check)).map((other) => other.id as string);
    for (const need of check.needs) expect(before).toContain(need);
  });

  it.each(CHECKS.map((check) => [check.id, check] as const))('%s declares the needs DESIGN.md documents', (id, check) => {
    expect([...check.needs]).toEqual([...DOCUMENTED_NEEDS[id]]);
  });

  it.each(CHECK_IDS.map((id) => [id]))('%s has an explain entry', (id) => {
    expect(EXPLANATIONS[id].verifies.length).toBeGreaterThan(20);
  });

  it.each(CHECK_IDS.map((id) => [id]))('%s has a test file', (id) => {
    expect(existsSync(new URL(`./checks/${id}.test.ts`, import.meta.url))).toBe(true);
  });

  it.each(CHECKS.map((check) => [check.id, check] as const))('%s has the same title in its explain entry', (id, check) => {
    expect(EXPLANATIONS[id].title).toBe(check.title);
  });
});
