import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { RootStoreWarmup } from '../../src/net/root-store.js';

// Node 20 parses its root certificates at the first TLS context (~50 ms): an
// online run has a worker thread do it while the main thread reads the
// configs. Whether it saves time is the bench's to show; here, that it runs,
// ends, and only where it pays.
describe('RootStoreWarmup', () => {
  it('starts nothing on Node 22 and later, which parse the roots in ~10 ms', async () => {
    expect(await new RootStoreWarmup('22.0.0').start()).toBeUndefined();
    expect(await new RootStoreWarmup('24.11.1').start()).toBeUndefined();
  });

  it('on Node 20, builds a TLS context in an unreferenced worker that ends cleanly', async () => {
    const warmup = new RootStoreWarmup('20.18.0');
    const worker = await warmup.start();
    expect(worker).toBeDefined();
    const errors: unknown[] = [];
    worker!.on('error', (error) => errors.push(error));
    const [code] = await once(worker!, 'exit');
    expect(code).toBe(0);
    expect(errors).toEqual([]);
    // The roots stay parsed for the process: a second run (golive watch) starts no second worker.
    expect(await warmup.start()).toBeUndefined();
  });
});
