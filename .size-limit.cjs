// Budget for what a browser app pays for bitmex-rxjs itself: the package's browser build
// (dist/index.browser.mjs, the `browser` condition of its exports) bundled by esbuild, minified
// and gzipped. rxjs is a peer dependency the app already has, so it is left out. The second
// check watches the library's own code, apart from its dependencies (js-sdsl, crypto-js's HMAC).
// `npm run size:breakdown` shows what the bundle holds, file by file.
// The goal is 12 kB in all (issue 15); these limits are the measured size plus a small margin
// until the code gets there.
module.exports = [
  {
    name: 'BitmexWebSocket in a browser app (rxjs excluded)',
    path: 'dist/index.browser.mjs',
    import: '{ BitmexWebSocket }',
    ignore: ['rxjs', 'rxjs/*'],
    gzip: true,
    limit: '23.6 kB',
  },
  {
    name: 'own code only (rxjs, js-sdsl and crypto-js excluded)',
    path: 'dist/index.browser.mjs',
    import: '{ BitmexWebSocket }',
    ignore: ['rxjs', 'rxjs/*', 'js-sdsl', 'crypto-js/*'],
    gzip: true,
    limit: '17.9 kB',
  },
];
