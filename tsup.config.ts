import { defineConfig } from 'tsup';
import type { Plugin } from 'esbuild';
import { browserStandIns, lazyCopies } from './scripts/browser-stand-ins';

/**
 * crypto-js has no `exports` map, so Node's ESM loader will not add `.js` to a deep import such
 * as `crypto-js/hmac-sha256`. The source keeps the extensionless form (what its types declare);
 * the published files get the explicit file name, which works for Node ESM, CJS and bundlers.
 */
const cryptoJsFileNames: Plugin = {
  name: 'crypto-js-file-names',
  setup(build) {
    build.onResolve({ filter: /^crypto-js\/[\w.-]+$/ }, (args) => ({
      path: args.path.endsWith('.js') ? args.path : `${args.path}.js`,
      external: true,
    }));
  },
};

export default defineConfig([
  {
    entry: { index: 'lib/index.ts', testing: 'lib/testing/index.ts' },
    format: ['esm', 'cjs'],
    // With "type": "commonjs" tsup names ESM files .mjs/.d.mts and CJS files .js/.d.ts.
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2020',
    outDir: 'dist',
    // Dependencies and the rxjs peer stay external (tsup's default); nothing is bundled in.
    // crypto-js deep imports skip tsup's external rule so the plugin above can rename them.
    noExternal: [/^crypto-js\//],
    esbuildPlugins: [cryptoJsFileNames],
    // One copy of shared modules for the two entries in ESM; CJS has no chunks.
    splitting: true,
  },
  {
    // The client for browsers (the `browser` condition of package.json's exports, and its
    // `browser` field for older bundlers): each Node-only file is swapped for its .browser.ts
    // stand-in (a refused handshake's Retry-After, which only `ws` shows, is not read). What the
    // client loads on first use (signing with crypto-js, grouped books, latency) goes to chunks
    // under dist/browser/ that only a dynamic import reaches (see lazyCopies).
    // The public signRequest gets a chunk of its own (made shared by this second entry): a
    // bundler drops a chunk none of whose exports is used, while crypto-js's CommonJS modules,
    // imported beside the client's code, would stay even unused.
    entry: { 'index.browser': 'lib/index.ts', 'browser/sign': 'lib/client/sign.ts' },
    format: ['esm'],
    platform: 'browser',
    dts: false,
    sourcemap: true,
    clean: false,
    target: 'es2020',
    outDir: 'dist',
    splitting: true,
    noExternal: [/^crypto-js\//],
    esbuildPlugins: [lazyCopies, browserStandIns, cryptoJsFileNames],
    esbuildOptions(options) {
      options.chunkNames = 'browser/[name]-[hash]';
    },
  },
]);
