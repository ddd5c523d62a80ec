// esbuild plugins for the bundle (tsup.config.ts uses them): what bundling undici and jose needs.
import { readFile } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';

const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));

/**
 * Built-ins a bundled file requires as it loads but golive never has it use,
 * by the file: there they read as missing, as for a Node without them, and
 * the file's own fallback applies. undici's HTTP/2 client requires node:http2
 * (6-15 ms to load on Node 20) and falls back to a stand-in; golive's
 * connections offer only http/1.1 (ALPN), so no server can choose HTTP/2 and
 * that client never runs (test/package/bundled-network.test.ts).
 */
const UNREACHED = new Map<string, RegExp>([['node:http2', /[\\/]undici[\\/]lib[\\/]dispatcher[\\/]client-h2\.js$/]]);

/**
 * undici is CommonJS: bundled into ES modules, its `require('node:net')`
 * would become esbuild's `__require`, which throws where no `require` is
 * defined (any ES module). Each built-in it requires is read from
 * `process.getBuiltinModule` instead (Node 20.16 and later), at the moment
 * undici calls `require`, so a lazy require stays lazy; one this Node lacks
 * (`node:sqlite` before 22.5) throws as `require` would, for undici's
 * feature detection to catch; so does one of UNREACHED in its file.
 */
export const builtinRequires: Plugin = {
  name: 'builtin-requires',
  setup(build) {
    build.onResolve({ filter: /^(node:)?[a-z0-9_/]+$/ }, (args) => {
      if (args.kind !== 'require-call' || !(args.path.startsWith('node:') || isBuiltin(args.path))) return undefined;
      const id = args.path.replace(/^(node:)?/, 'node:');
      return { path: id, namespace: UNREACHED.get(id)?.test(args.importer) ? 'builtin-unreached' : 'builtin-require' };
    });
    const missing = (id: string) => `throw Object.assign(new Error('Cannot find module ' + ${id}), { code: 'ERR_UNKNOWN_BUILTIN_MODULE' });\n`;
    build.onLoad({ filter: /.*/, namespace: 'builtin-require' }, (args) => {
      const id = JSON.stringify(args.path);
      return { contents: `const builtin = process.getBuiltinModule(${id});\nif (builtin === undefined) ${missing(id)}module.exports = builtin;\n`, loader: 'js' };
    });
    build.onLoad({ filter: /.*/, namespace: 'builtin-unreached' }, (args) => ({ contents: missing(JSON.stringify(args.path)), loader: 'js' }));
  },
};

/** The files that import undici and jose: golive's code loads them through their loaders. */
const GATEWAYS: Record<string, { file: string; loader: string }> = {
  undici: { file: here('../src/net/undici-parts.ts'), loader: 'loadUndici() from src/net/undici.ts' },
  jose: { file: here('../src/oauth/jose-parts.ts'), loader: 'loadJose() from src/oauth/jose.ts' },
};

/**
 * Bundled, `import('undici')` would bring all of undici (its index is
 * CommonJS: nothing is dropped) as a module whose only export is `default`,
 * so `const { Agent } = await import('undici')` would get undefined. An
 * import of undici or jose anywhere else gets the parts golive bundles
 * instead, with a warning naming the loader to use.
 */
export const bundledThroughLoaders: Plugin = {
  name: 'bundled-through-loaders',
  setup(build) {
    build.onResolve({ filter: /^(undici|jose)(\/|$)/ }, (args) => {
      const gateway = GATEWAYS[args.path.split('/')[0]!]!;
      if (args.importer === gateway.file) return undefined;
      const text = `${path.relative(process.cwd(), args.importer)} imports ${args.path}: it gets ${path.relative(process.cwd(), gateway.file)}; use ${gateway.loader}`;
      return { path: gateway.file, warnings: [{ text }] };
    });
  },
};

/**
 * undici's HTTP/1.1 client compiles its parser with `new WebAssembly.Module`;
 * src/net/wasm-baseline.ts says why golive's bundle compiles it with
 * BaselineWasmModule instead. The build fails if undici no longer has that
 * line.
 */
export const llhttpBaseline: Plugin = {
  name: 'llhttp-baseline',
  setup(build) {
    build.onLoad({ filter: /[\\/]undici[\\/]lib[\\/]dispatcher[\\/]client-h1\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const patched = source.replaceAll('new WebAssembly.Module(', 'new BaselineWasmModule(');
      if (patched === source) throw new Error(`${args.path} no longer compiles llhttp with new WebAssembly.Module(): see src/net/wasm-baseline.ts`);
      const require = `const { BaselineWasmModule } = require(${JSON.stringify(here('../src/net/wasm-baseline.ts'))});\n`;
      return { contents: require + patched, loader: 'js', resolveDir: path.dirname(args.path) };
    });
  },
};
