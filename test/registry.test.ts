import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../checks/index.js';
import { CHECK_IDS } from '../checks/ids.js';
import { DOCUMENTED_NEEDS, EXPLANATIONS } from '../checks/explain.js';

/** Checks still registered through checks/pending.ts (they report "not implemented yet" and never pass). */
const PENDING = new Set(
  CHECKS.filter((check) => check.run.toString().includes('not implemented yet')).map((check) => check.id as string),
);

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

  it.each(CHECK_IDS.filter((id) => !PENDING.has(id)).map((id) => [id]))('%s has a test file', (id) => {
    expect(existsSync(new URL(`./checks/${id}.test.ts`, import.meta.url))).toBe(true);
  });

  it('only online checks are pending, and they never pass', async () => {
    for (const check of CHECKS.filter((candidate) => PENDING.has(candidate.id))) {
      expect(check.online).toBe(true);
      const outcome = await check.run({} as never, {} as never);
      expect(outcome).toMatchObject({ status: 'skip', message: expect.stringMatching(/^not implemented yet/) });
    }
  });
});
