// The second step of a build (tsup.config.ts calls it): regroups the chunks esbuild wrote.
//
// esbuild splits code into one chunk per set of entry points that reach it, and every lazy
// `import()` is an entry point. golive has ~40 of them, so `check --offline` loaded 35 files,
// most under 5 KB, and each ES module costs Node ~0.7 ms to resolve, read, compile and link.
// Rollup reads esbuild's output (plain ES modules) and writes it again with the code every
// command line loads in two chunks: `cli` (the CLI's own) and `core` (what the library entry
// shares with it), and the code only the online checks load in a third, `online`: loaded as ~20
// files, it took an online check ~50 ms longer on Node 20. Other code loaded lazily (the sandbox,
// init --from-postman, the live task list) stays in the chunks it was in;
// test/cli/offline-imports.test.ts proves no network code joins the start-up. The result is
// re-minified (whitespace and syntax, as tsup.config.ts does); identifiers stay readable for
// --debug stacks.
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { transform } from 'esbuild';
import { rollup } from 'rollup';

/**
 * The lazy imports every `golive check` takes (main and the parser are loaded by every command
 * line; check is the command golive is for): their code joins the start-up chunks. The other
 * commands (diff, report, init, sandbox, …) keep their own code in their own chunks.
 */
const FOLDED = ['src/cli/main.ts', 'src/cli/parse.ts', 'src/cli/commands/check.ts'];

/** Source files whose lazy imports are the online checks' code: the checks' runs, and the HTTP session they share. */
const isOnlineImporter = (source) => source.startsWith('checks/') || source === 'src/net/http.ts';

/**
 * The files of esbuild's output `golive check` loads at start-up (`cli`), those index.js loads
 * (`library`), those only the online checks load (`online`: what the checks import lazily, with
 * all it imports, less what start-up loads and what other lazy code, such as the sandbox or
 * `--curl`, reaches too) and those the online checks share with that other code (`shared`):
 * read from esbuild's metafile.
 */
function chunkGroups(outDir) {
  const metafile = path.join(outDir, 'metafile-esm.json');
  const { inputs, outputs } = JSON.parse(readFileSync(metafile, 'utf8'));
  rmSync(metafile);
  const byFile = new Map(Object.entries(outputs).map(([output, info]) => [path.resolve(output), info]));
  const internal = (at) => (byFile.get(at)?.imports ?? []).filter((item) => !item.external).map((item) => ({ ...item, target: path.resolve(item.path) }));
  const closure = (starts, follows, within = () => true) => {
    const seen = new Set();
    const visit = (at) => {
      if (seen.has(at) || !within(at)) return;
      seen.add(at);
      for (const item of internal(at)) if (follows(item)) visit(item.target);
    };
    for (const start of starts) visit(start);
    return seen;
  };
  const statically = (followed) => (item) => item.kind === 'import-statement' || followed.includes(byFile.get(item.target)?.entryPoint);
  const cli = closure([path.resolve(outDir, 'cli.js')], statically(FOLDED));
  const library = closure([path.resolve(outDir, 'index.js')], statically([]));

  // The lazy imports start-up code makes: the checks' (and the session's) are the online code's roots.
  const startupSources = new Set([...cli, ...library].flatMap((file) => Object.keys(byFile.get(file)?.inputs ?? {})));
  const lazyImports = [...startupSources].flatMap((source) =>
    (inputs[source]?.imports ?? []).filter((item) => item.kind === 'dynamic-import' && !item.external).map((item) => ({ source, target: item.path })),
  );
  const entryOf = new Map([...byFile].filter(([, info]) => info.entryPoint !== undefined).map(([file, info]) => [info.entryPoint, file]));
  const roots = (online) => lazyImports.filter(({ source }) => isOnlineImporter(source) === online).map(({ target }) => entryOf.get(target)).filter(Boolean);
  const notStartup = (at) => !cli.has(at) && !library.has(at);
  const everything = () => true;
  const reachedElsewhere = closure(roots(false), everything, notStartup);
  const reachedOnline = closure(roots(true), everything, notStartup);
  const online = new Set([...reachedOnline].filter((at) => !reachedElsewhere.has(at)));
  // Rollup would pull a module a manual chunk imports into that chunk: one other code shares keeps a chunk of its own.
  const shared = new Set([...reachedOnline].filter((at) => reachedElsewhere.has(at)));
  return { cli, library, online, shared };
}

const HASHBANG = '#!/usr/bin/env -S node --\n';

/** Rebuilds the .js files of `outDir` (cli.js and index.js and their chunks) in place; .d.ts files stay. */
export async function mergeChunks(outDir) {
  const groups = chunkGroups(outDir);
  const entries = new Set([path.resolve(outDir, 'cli.js'), path.resolve(outDir, 'index.js')]);
  const staging = mkdtempSync(`${outDir.replace(/\/$/, '')}.merge-`);
  try {
    const bundle = await rollup({
      input: { cli: path.join(outDir, 'cli.js'), index: path.join(outDir, 'index.js') },
      // Node built-ins and packages stay imports, as esbuild left them.
      external: (id) => id.startsWith('node:') || builtinModules.includes(id) || /^[@a-z]/i.test(id),
      // A warning (an import it cannot resolve, say) stops the build.
      onLog(level, log) {
        if (level === 'warn' && log.code !== 'CIRCULAR_DEPENDENCY') throw new Error(`merging chunks: ${log.message}`);
      },
    });
    await bundle.write({
      dir: staging,
      format: 'es',
      entryFileNames: '[name].js',
      // esbuild's names (`chunk-<hash>`, `parse-<hash>`) without esbuild's hash: rollup adds its own.
      chunkFileNames: (chunk) => `${chunk.name.replace(/-[A-Z0-9]{8}$/, '')}-[hash].js`,
      manualChunks(id) {
        if (entries.has(id)) return undefined;
        if (groups.online.has(id)) return 'online';
        if (groups.shared.has(id)) return path.basename(id, '.js');
        if (!groups.cli.has(id)) return undefined;
        return groups.library.has(id) ? 'core' : 'cli';
      },
      compact: true,
    });
    await bundle.close();
    for (const file of readdirSync(outDir)) if (file.endsWith('.js')) rmSync(path.join(outDir, file));
    for (const file of readdirSync(staging)) {
      const source = readFileSync(path.join(staging, file), 'utf8').replace(/^#!.*\n/, '');
      const { code } = await transform(source, { format: 'esm', target: 'node20', minifyWhitespace: true, minifySyntax: true });
      const target = path.join(outDir, file);
      writeFileSync(target, file === 'cli.js' ? HASHBANG + code : code);
      if (file === 'cli.js') chmodSync(target, 0o755);
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

// `node scripts/merge-chunks.mjs [dist]`: the step alone, on a finished esbuild output.
if (import.meta.url === `file://${process.argv[1]}`) await mergeChunks(process.argv[2] ?? 'dist');
