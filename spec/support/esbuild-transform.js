/**
 * Jest transform: TypeScript to CommonJS with esbuild, one file at a time. It only strips types
 * (the whole tree is type-checked once by `npm run typecheck`), so it is fast and prints no
 * deprecation warnings. esbuild is already a dev dependency (it bundles for the browser spec).
 */
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');
const esbuild = require('esbuild');

// Any change to this file or to esbuild invalidates jest's transform cache.
const SELF = createHash('sha1').update(readFileSync(__filename)).update(esbuild.version).digest('hex');

module.exports = {
  canInstrument: false,
  getCacheKey(source, filename, options) {
    return createHash('sha1').update(SELF).update(filename).update(source).update(options.configString).digest('hex');
  },
  process(source, filename) {
    const { code, map } = esbuild.transformSync(source, {
      loader: filename.endsWith('.tsx') ? 'tsx' : 'ts',
      format: 'cjs',
      target: `node${process.versions.node.split('.')[0]}`,
      platform: 'node',
      // Jest runs CommonJS without the VM's ES modules: a dynamic import() (code the client
      // loads on first use) becomes a require() in a promise.
      supported: { 'dynamic-import': false },
      sourcefile: filename,
      sourcemap: 'external',
      sourcesContent: false,
    });
    return { code, map };
  },
};
