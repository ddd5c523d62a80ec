#!/usr/bin/env -S node --
import module from 'node:module';

// Node 22.1+ caches compiled code on disk: the second run of a command
// starts in a fraction of the time. Older Node lacks the function.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

const { main } = await import('./cli/main.js');
process.exitCode = await main(process.argv.slice(2));
