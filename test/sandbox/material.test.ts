import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadOrCreateMaterial } from '../../src/sandbox/material.js';
import { tempDir } from '../support/config-files.js';

// Kept material (a sandbox folder's own, or the per-user cache) is only
// reused while its certificates are valid on the clock of this run: a cache
// made last year, or under a clock set a year ahead, would make the demo fail.

const DAY_MS = 86_400_000;
const dir = tempDir('golive-material-');

afterEach(() => {
  vi.useRealTimers();
});

function at(time: number): void {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(time);
}

describe('loadOrCreateMaterial', () => {
  it('reuses current material, and generates anew when the clock has left its certificates behind or ahead', async () => {
    const folder = path.join(dir, 'clock');
    const start = Date.now();
    const first = await loadOrCreateMaterial(folder, { useCache: false });
    expect(await loadOrCreateMaterial(folder, { useCache: false })).toEqual(first);

    at(start + 400 * DAY_MS);
    const yearAhead = await loadOrCreateMaterial(folder, { useCache: false });
    expect(yearAhead.organisationId).not.toBe(first.organisationId);
    expect(await loadOrCreateMaterial(folder, { useCache: false })).toEqual(yearAhead);

    at(start);
    const back = await loadOrCreateMaterial(folder, { useCache: false });
    expect(back.organisationId).not.toBe(yearAhead.organisationId);
  }, 60_000);

  it('generates anew over a damaged material file instead of failing', async () => {
    const folder = path.join(dir, 'damaged');
    mkdirSync(path.join(folder, '.sandbox'), { recursive: true });
    writeFileSync(path.join(folder, '.sandbox', 'material.json'), '{"version": 2, "ca": ');
    const material = await loadOrCreateMaterial(folder, { useCache: false });
    expect(material.ca.cert).toMatch(/^-----BEGIN CERTIFICATE-----/);
  }, 60_000);
});
