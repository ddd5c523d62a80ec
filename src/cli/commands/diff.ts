import { reviewMigration } from '../../migration/run.js';
import { DEFAULT_OPTIONS } from '../../pipeline/context.js';
import { exitCodeFor } from '../../report/build.js';
import { artifactsFrom, render, writeArtifacts } from '../render.js';
import type { DiffArgs } from '../spec.js';
import { InputLedger } from '../../files/input.js';
import { guardArtifacts, loadEnvFiles } from '../inputs.js';
import { isInteractive, type Io } from '../io.js';

/** `golive diff <uat> <prod>`: the migration review; returns the exit code. */
export async function diffCommand(args: DiffArgs, io: Io): Promise<number> {
  const { uat, production } = args;
  const interactive = isInteractive(io);
  const format = args.format ?? (interactive ? 'pretty' : 'plain');
  const goLive = args['go-live'];
  const artifacts = artifactsFrom(args);
  const envFiles = args['env-file'] ?? [];
  await guardArtifacts(
    artifacts,
    [{ file: uat, role: 'the UAT config' }, { file: production, role: 'the Production config' }, ...envFiles.map((file) => ({ file, role: 'the --env-file' }))],
    io,
    'diff',
  );
  // Every file the review reads is recorded, so that no artifact replaces one of them.
  const inputs = new InputLedger();
  const { report, redactor } = await inputs.track(async () => {
    const { variables: fromFiles, secrets } = await loadEnvFiles(envFiles, io, 'diff');
    return reviewMigration({
      uat,
      production,
      cwd: io.cwd,
      ...(goLive !== undefined && { goLive }),
      options: { ...DEFAULT_OPTIONS, strict: args.strict ?? false, debug: args.debug ?? false },
      env: { ...io.env, ...fromFiles },
      secrets,
    });
  });
  try {
    io.stdout.write(redactor.text(await render(format, report, format === 'pretty' && interactive)));
    await writeArtifacts(artifacts, report, redactor, io, 'diff', inputs);
  } catch (error) {
    throw redactor.scrub(error);
  }
  return exitCodeFor(report);
}
