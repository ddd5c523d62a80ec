import { defineConfig } from 'tsup';

// One bundle with code splitting: the CLI entry stays small and the heavy
// modules (undici, node-forge, listr2, oidc-provider) load only when a
// command needs them.
export default defineConfig({
  entry: { cli: 'src/cli.ts', index: 'src/index.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  splitting: true,
  sourcemap: false,
  clean: true,
  dts: false,
  // Dependencies stay external: npm installs them, and bundling
  // oidc-provider (and its koa stack) would gain nothing.
  skipNodeModulesBundle: true,
});
