import path from 'node:path';
import { readEnvFiles } from '../../config/env-files.js';
import { DEFAULT_OPTIONS } from '../../pipeline/context.js';
import { isInteractive, type Io } from '../io.js';
import { runAndRender } from './check.js';
import type { DemoArgs } from '../spec.js';

const DEMO_CONFIG = 'private_key_jwt-tls';
const DEMO_FAULT = 'key-not-in-jwks';

/**
 * The first thing to try: the sandbox and a check in one process. A clean
 * run first, then the same run with a fault switched on, to show a diagnosis.
 */
export async function demoCommand(_args: DemoArgs, io: Io): Promise<number> {
  const { startSandbox } = await import('../../sandbox/index.js');
  const started = performance.now();
  const sandbox = await startSandbox({ quiet: true });
  try {
    const { variables, secrets } = await readEnvFiles([sandbox.envFile], io.cwd);
    const absolute = sandbox.configs[DEMO_CONFIG]!;
    const relative = path.relative(io.cwd, absolute);
    const config = relative.startsWith('..') ? absolute : relative;
    const interactive = isInteractive(io);
    const run = {
      configs: [config],
      options: { ...DEFAULT_OPTIONS },
      env: { ...io.env, ...variables },
      secrets,
      format: interactive ? ('pretty' as const) : ('plain' as const),
      interactive,
    };
    io.stdout.write(
      `golive demo: a local Thredd-like platform is running on 127.0.0.1 (started in ${Math.round(performance.now() - started)} ms).\n` +
        `1/2  Checking ${config}, a private_key_jwt client over TLS:\n\n`,
    );
    await runAndRender(run, io);
    sandbox.setFaults([DEMO_FAULT]);
    io.stdout.write(`\n2/2  The same check after the platform drops the client's key from the organisation JWKS (fault ${DEMO_FAULT}):\n\n`);
    await runAndRender(run, io);
    io.stdout.write(
      `\nNext: golive sandbox --help lists every fault to try; golive init writes a config for your own client.\n`,
    );
    return 0;
  } finally {
    await sandbox.close();
  }
}
