// Budget for what a browser app pays for bitmex-rxjs itself: the package's browser build
// (dist/index.browser.mjs, the `browser` condition of its exports) bundled by esbuild, minified
// and gzipped. rxjs is a peer dependency the app already has, so it is left out. The second
// check watches the library's own code, apart from its dependency crypto-js (the HMAC).
// `npm run size:breakdown` shows what the bundle holds, file by file.
// The goal is 12 kB in all (issue 15). These limits are the size measured on 2026-12-01
// (25.89 kB in all, 23.35 kB own code) plus a small margin: what keeps the rest out of reach is
// listed in the README's Benchmarks section (Bundle).
module.exports = [
  {
    name: 'BitmexWebSocket in a browser app (rxjs excluded)',
    path: 'dist/index.browser.mjs',
    import: '{ BitmexWebSocket }',
    ignore: ['rxjs', 'rxjs/*'],
    gzip: true,
    limit: '26.2 kB',
  },
  {
    name: 'own code only (rxjs and crypto-js excluded)',
    path: 'dist/index.browser.mjs',
    import: '{ BitmexWebSocket }',
    ignore: ['rxjs', 'rxjs/*', 'crypto-js/*'],
    gzip: true,
    limit: '23.7 kB',
  },
];
