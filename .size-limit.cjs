// Budget for what a browser app pays for bitmex-rxjs itself: the package's browser build
// (dist/index.browser.mjs, the `browser` condition of its exports) bundled by esbuild, minified
// and gzipped. rxjs is a peer dependency the app already has, so it is left out.
// The client loads some code on first use, with a dynamic import: the signing code and
// crypto-js (only with keys), grouped and cumulative books, latency$. The first check is what
// the app loads up front (those imports left out); the second, everything, every chunk
// included (esbuild puts the dynamic imports inline when it does not split).
// `npm run size:breakdown` shows what each chunk holds, file by file.
// The goal is 12 kB up front (issue 15), not met. These limits are the sizes measured on
// 2026-12-01 (22.61 kB up front, 30.67 kB with every chunk, at 0411f2e), raised the same day to
// 24.1 / 32.07 kB as measured after the reducer's hot book, the book view's level reuse, the
// default Node socket without deflate and the hostile-server fixes (one server subscription per
// row set, the dead man's switch's rate limit, endpoint query and orderBook10 pair checks), plus
// a small margin; then to 24.6 / 32.6 kB (24.43 / 32.42 measured) for the late-unsubscribe,
// auth-rate-limit and unknown-symbol fixes and orderBook10 pairs sorted best first; then by the
// measured +0.10 / +0.12 kB to 24.7 / 32.72 kB for the admission of a partial's rows of another
// symbol (reported and left out: they landed in that symbol's book for good); then by the measured
// +0.04 / +0.04 kB to 24.74 / 32.76 kB for endpoint errors that no longer echo a URL's query or
// user:password (a key or signature could be there); then to 24.8 / 32.8 kB (24.78 / 32.78
// measured) for inserts of a key already held reported and a partial's rows of another symbol
// checked by the reducer instead of the client (replays get it too); then to 24.85 / 32.85 kB
// (24.82 / 32.82 measured) for a subscribe refused as "already subscribed" resynced; then by the measured
// +0.013 / +0.02 kB to 24.87 / 32.87 kB (24.853 / 32.86 measured) for an endpoint's #fragment refused at
// construction; then by the measured +0.05 / +0.04 kB to 24.92 / 32.91 kB (24.901 / 32.903 measured)
// for lib/client/topics.ts split in three (the subscribe retries' timer and the refused
// unsubscribes' repeats in files of their own, no behaviour change); then by the measured
// +0.18 / +0.19 kB to 25.1 / 33.11 kB (25.08 / 33.09 measured) for book$'s, storage.book's and
// bookOf$'s options checked at the call (lib/operators/book-options.ts); then by the measured +0.024 / +0.04 kB
// to 25.12 / 33.15 kB (25.104 / 33.13 measured) for a WebSocketCtor that is no constructor refused at construction; then by the measured
// +0.02 / +0.03 kB to 25.14 / 33.18 kB (25.122 / 33.153 measured) for a reconnect cancelling the
// repeats of unsubscribes the old socket refused; then by the measured +0.02 / +0.02 kB to 25.16 / 33.2 kB
// (25.14 / 33.17 measured) for authentication signed from the connection's welcome time; then by the measured
// +0.023 / +0.027 kB to 25.19 / 33.23 kB (25.161 / 33.195 measured) for refused unsubscribes backing off as
// refused subscribes do; then by the measured +0.06 / +0.045 kB to 25.24 / 33.26 kB (25.22 / 33.24
// measured) for the connection budget's spreading relative to the client's own connections of the hour; then by
// the measured +0.06 / +0.06 kB to 25.3 / 33.32 kB (25.28 / 33.3 measured) for rows without any key column
// reported (keyOf) and readable keys in inconsistency messages; then by the measured +0.12 / +0.11 kB to
// 25.41 / 33.43 kB (25.39 / 33.41 measured): +0.05 / +0.03 for lib/client/topics.ts's answer watch moved
// to a file of its own (no behaviour change), +0.07 / +0.08 for a subscribe acknowledged without a
// partial reported as such; then by the measured +0.12 / +0.12 kB to 25.53 / 33.55 kB (25.51 / 33.53
// measured) for a partial for a symbol no topic asked for reported (it was dropped silently); then by
// the measured +0.064 / +0.078 kB to 25.59 / 33.63 kB (25.577 / 33.604 measured) for the clock estimate
// leaving out stamps ahead of the recent others (rows stamped in the future); then by the measured
// +0.09 / +0.09 kB to 25.69 / 33.71 kB (25.67 / 33.69 measured) for an unusable table frame resyncing
// the live topics of the table it names (tableNamedIn, Topics.resyncTable); then by the measured
// +0.061 / +0.059 kB to 25.75 / 33.77 kB (25.724 / 33.742 measured) for a delta's row that cannot be
// used resyncing its table's live topics (Unusable.dropped); what keeps the rest out of reach is in
// bench/README.md (Bundle).

/** Leaves dynamic imports out of the bundle: what loads before any of them is used. */
const upFrontOnly = (config) => ({
  ...config,
  plugins: [
    ...(config.plugins ?? []),
    {
      name: 'dynamic-imports-left-out',
      setup(build) {
        build.onResolve({ filter: /.*/ }, (args) => (args.kind === 'dynamic-import' ? { path: args.path, external: true } : undefined));
      },
    },
  ],
});

module.exports = [
  {
    name: 'BitmexWebSocket up front (rxjs excluded; loaded-on-first-use chunks left out)',
    path: 'dist/index.browser.mjs',
    import: '{ BitmexWebSocket }',
    ignore: ['rxjs', 'rxjs/*'],
    gzip: true,
    modifyEsbuildConfig: upFrontOnly,
    limit: '25.75 kB',
  },
  {
    name: 'BitmexWebSocket with every chunk (rxjs excluded)',
    path: 'dist/index.browser.mjs',
    import: '{ BitmexWebSocket }',
    ignore: ['rxjs', 'rxjs/*'],
    gzip: true,
    limit: '33.77 kB',
  },
];
