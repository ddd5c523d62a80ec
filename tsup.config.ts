import { fileURLToPath } from 'node:url';
import { defineConfig } from 'tsup';
import { builtinRequires, bundledThroughLoaders, llhttpBaseline } from './scripts/bundle-plugins.js';
import { mergeChunks } from './scripts/merge-chunks.mjs';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

// One bundle with code splitting: the heavy modules (undici, jose,
// node-forge, listr2, oidc-provider) and the code only some runs need (the
// online checks, the sandbox, init --from-postman) load only when a command
// needs them.
// esbuild's many small chunks are then regrouped (scripts/merge-chunks.mjs).
export default defineConfig((overrides) => ({
  entry: { cli: 'src/cli.ts', index: 'src/index.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  splitting: true,
  sourcemap: false,
  clean: true,
  // V8 parses every byte at start-up: whitespace and syntax minification cut
  // parse time; identifiers stay readable for --debug stacks.
  esbuildOptions(options) {
    options.minifyWhitespace = true;
    options.minifySyntax = true;
    // yaml's ES module build (its "default" export condition), not the
    // CommonJS one Node's condition picks: esbuild can then drop what golive
    // never calls (Document editing, most of stringify), 30 KB less to
    // parse at every start. The code is the same library.
    options.alias = {
      yaml: here('./node_modules/yaml/browser/index.js'),
      // yargs is bundled (it parses every command line) with four of its
      // dependencies replaced, each for a reason given in its file: no
      // message catalogue read from outside the package, no package.json of
      // the user's project read as parser settings, and ~25 ms less start-up.
      y18n: here('./src/cli/yargs/y18n.ts'),
      'escalade/sync': here('./src/cli/yargs/escalade.ts'),
      'string-width': here('./src/cli/yargs/string-width.ts'),
      assert: here('./src/cli/yargs/assert.ts'),
    };
  },
  // Types for the library entry only (`import ... from 'golive'`): one
  // self-contained dist/index.d.ts, about 5 s of build time.
  dts: { entry: { index: 'src/index.ts' } },
  // yaml is on the path of every check: bundled, it loads as one file
  // instead of dozens (~40 ms less start-up). undici and jose are bundled
  // too, only the parts golive uses (src/net/undici-parts.ts,
  // src/oauth/jose-parts.ts), loaded when a run first needs them: undici in
  // a fifth of the time it took from node_modules, jose in a tenth.
  // Everything else stays external and is imported lazily by the command
  // that needs it.
  noExternal: ['yaml', 'yargs', 'undici', 'jose'],
  external: ['listr2', 'ajv', 'node-forge', 'oidc-provider', '@peculiar/x509', 'reflect-metadata'],
  // `node:` imports stay as written: the plugin that strips them would also turn undici's require('node:…') into esbuild's __require.
  removeNodeProtocol: false,
  esbuildPlugins: [bundledThroughLoaders, builtinRequires, llhttpBaseline],
  // The regrouping reads which chunk holds which module from esbuild's metafile (then deletes it):
  // `check --offline` loads 4 files instead of 35.
  metafile: true,
  onSuccess: () => mergeChunks(overrides.outDir ?? 'dist'),
}));
