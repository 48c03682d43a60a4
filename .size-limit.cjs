// Budget for what a browser app pays for bitmex-rxjs itself: the built ESM entry bundled by
// esbuild for the browser (isomorphic-ws resolves to the global WebSocket), minified and gzipped.
// rxjs is a peer dependency the app already has, so it is left out.
module.exports = [
  {
    name: 'bitmex-rxjs, browser ESM bundle (rxjs excluded)',
    path: 'dist/index.mjs',
    ignore: ['rxjs', 'rxjs/*'],
    gzip: true,
    limit: '12 kB',
  },
];
