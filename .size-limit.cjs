// Budget for what a browser app pays for bitmex-rxjs itself: the built ESM entry bundled by
// esbuild for the browser (isomorphic-ws resolves to the global WebSocket), minified and gzipped.
// rxjs is a peer dependency the app already has, so it is left out. The second check watches
// the library's own code, apart from its two small dependencies (js-sdsl, crypto-js's HMAC).
// It was 13 kB until the column-stored order book (2026-11-30), which costs 0.25 kB and cut
// the reducer benchmark's 2/1 from about 1.69 to 1.62; then 13.5 kB (and 19 kB in all) until
// empty levels kept for reuse at their price (2026-11-30), which cost 0.4 kB and cut 2/1 from
// about 1.63 to 1.52.
module.exports = [
  {
    name: 'BitmexWebSocket in a browser app (rxjs excluded)',
    path: 'dist/index.mjs',
    import: '{ BitmexWebSocket }',
    ignore: ['rxjs', 'rxjs/*'],
    gzip: true,
    limit: '19.5 kB',
  },
  {
    name: 'own code only (rxjs, js-sdsl and crypto-js excluded)',
    path: 'dist/index.mjs',
    import: '{ BitmexWebSocket }',
    ignore: ['rxjs', 'rxjs/*', 'js-sdsl', 'crypto-js/*'],
    gzip: true,
    limit: '14 kB',
  },
];
