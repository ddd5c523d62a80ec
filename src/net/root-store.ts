import type { Worker } from 'node:worker_threads';

/**
 * Node 20 parses its ~145 root certificates the first time the process makes
 * a TLS context: ~50 ms on the main thread, in the middle of an online run's
 * first connection. Node parses them once per process, under a lock, for
 * whichever thread asks first. So an online run asks from a worker thread as
 * it starts, on the other core, and its first connection finds them parsed
 * (~8 ms left: its own copy of the store). Node 22 and later parse them in
 * ~10 ms, less than the worker costs: there nothing is started.
 *
 * The worker is unreferenced (it never keeps the process alive) and its
 * errors are dropped: without it, the first context parses the roots itself.
 */
export class RootStoreWarmup {
  #started = false;

  constructor(readonly nodeVersion = process.versions.node) {}

  /** Starts the worker, once: the roots stay parsed for the process, and golive watch starts a run every interval. */
  async start(): Promise<Worker | undefined> {
    if (this.#started || Number(this.nodeVersion.split('.')[0]) >= 22) return undefined;
    this.#started = true;
    try {
      const { Worker } = await import('node:worker_threads');
      const worker = new Worker("require('node:tls').createSecureContext()", { eval: true, stdout: true, stderr: true });
      worker.on('error', () => {});
      worker.unref();
      return worker;
    } catch {
      return undefined;
    }
  }
}

/** The process's warm-up: every run of the process shares it. */
export const rootStoreWarmup = new RootStoreWarmup();
