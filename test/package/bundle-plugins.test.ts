import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinRequires, bundledThroughLoaders } from '../../scripts/bundle-plugins.js';

// The esbuild plugins that bundling undici needs (scripts/bundle-plugins.ts),
// each on a small input: what they change, and the mistakes they stop.

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'golive-bundle-plugins-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('builtinRequires', () => {
  it("gives CommonJS code bundled into an ES module the built-ins it requires, and require's error for one Node lacks", async () => {
    const input = path.join(dir, 'input.cjs');
    await writeFile(
      input,
      [
        "const { EventEmitter } = require('node:events');",
        "const http2 = require('node:http2');",
        "const util = require('util');",
        "let missing; try { require('node:no-such-module') } catch (error) { missing = error.code }",
        'module.exports = { EventEmitter, http2, util, missing };',
      ].join('\n'),
    );
    const output = path.join(dir, 'output.mjs');
    await build({ entryPoints: [input], outfile: output, bundle: true, format: 'esm', platform: 'node', plugins: [builtinRequires], logLevel: 'silent' });
    const { default: loaded } = (await import(pathToFileURL(output).href)) as { default: Record<string, unknown> };
    expect(loaded['EventEmitter']).toBe((await import('node:events')).EventEmitter);
    expect(loaded['http2']).toBe(await import('node:http2').then((module) => module.default));
    expect(loaded['util']).toBe(await import('node:util').then((module) => module.default));
    expect(loaded['missing']).toBe('ERR_UNKNOWN_BUILTIN_MODULE');
  });

  it("gives undici's HTTP/2 client node:http2 as missing (golive never lets it run), and any other file the real one", async () => {
    const dispatcher = path.join(dir, 'node_modules', 'undici', 'lib', 'dispatcher');
    await mkdir(dispatcher, { recursive: true });
    const requireHttp2 = "try { module.exports = require('node:http2') } catch (error) { module.exports = error.code }\n";
    await writeFile(path.join(dispatcher, 'client-h2.js'), requireHttp2);
    await writeFile(path.join(dir, 'elsewhere.cjs'), requireHttp2);
    const input = path.join(dir, 'uses-http2.cjs');
    await writeFile(input, "module.exports = { undici: require('./node_modules/undici/lib/dispatcher/client-h2.js'), elsewhere: require('./elsewhere.cjs') };\n");
    const output = path.join(dir, 'uses-http2.mjs');
    await build({ entryPoints: [input], outfile: output, bundle: true, format: 'esm', platform: 'node', plugins: [builtinRequires], logLevel: 'silent' });
    const { default: loaded } = (await import(pathToFileURL(output).href)) as { default: Record<string, unknown> };
    expect(loaded['undici']).toBe('ERR_UNKNOWN_BUILTIN_MODULE');
    expect(loaded['elsewhere']).toBe(await import('node:http2').then((module) => module.default));
  });
});

describe('bundledThroughLoaders', () => {
  it.each([
    ['undici', 'src/net/undici-parts.ts', 'loadUndici() from src/net/undici.ts'],
    ['jose', 'src/oauth/jose-parts.ts', 'loadJose() from src/oauth/jose.ts'],
  ])('gives an import of %s elsewhere the parts golive bundles, with a warning naming the loader', async (name, parts, loader) => {
    const input = path.join(dir, `uses-${name}.ts`);
    await writeFile(input, `export const loaded = () => import('${name}');\n`);
    const built = await build({ entryPoints: [input], bundle: true, write: false, metafile: true, format: 'esm', platform: 'node', plugins: [bundledThroughLoaders], logLevel: 'silent' });
    expect(built.warnings.map((warning) => warning.text)).toEqual([expect.stringMatching(new RegExp(`imports ${name}: it gets ${parts}; use ${loader.replace(/[().]/g, '\\$&')}$`))]);
    expect(Object.keys(built.metafile.inputs)).toContain(parts);
  });
});
