#!/usr/bin/env -S node --
import module from 'node:module';

// Node 22.1+ caches compiled code on disk: the second run of a command
// starts in a fraction of the time. Older Node lacks the function.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

/** Resolves once everything written to `stream` so far has been handed to the OS (a pipe may take it asynchronously). */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || !stream.writable) resolve();
    else stream.write('', () => resolve());
  });
}

// `golive check | head` closes the pipe early: the reader has what it wanted,
// and the run still finishes its artifacts. Without a listener the EPIPE
// would end the process with a stack trace.
// Any other write error means the report did not reach its reader: exit 3.
let outputFailed: string | undefined;
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') outputFailed ??= error.code ?? 'error';
  });
}

const { main } = await import('./cli/main.js');
const code = await main(process.argv.slice(2));
// The run is over once main() has written its report and artifacts: a
// socket a proxy or server still holds open, or a timer a library left
// behind, must not keep the process alive.
await Promise.all([drained(process.stdout), drained(process.stderr)]);
if (outputFailed !== undefined) {
  process.stderr.write(`golive: the output could not be written (${outputFailed})\n`);
  await drained(process.stderr);
}
process.exit(outputFailed === undefined ? code : 3);
