/**
 * A persistent hash map (a hash array mapped trie) from strings or numbers to values: the id →
 * price index of a book side, books by symbol, keyed rows by key.
 *
 * A node holds up to 32 slots picked by 5 bits of the key's hash, stored densely behind a
 * bitmap. `set` and `remove` copy the path to the changed slot (at most 7 nodes, about 2–3 for
 * ten thousand keys) and share everything else; nodes made by the same edit token are changed in
 * place, as in {@link ./sorted-tree}. Keys with equal 32-bit hashes share a slot in a short chain.
 * @module
 */

export type HashKey = string | number;

/** An inner node. */
export class HNode<V> {
  constructor(
    public t: number,
    public bm: number,
    public a: (HNode<V> | HLeaf<V>)[],
  ) {}
}

/** One entry, and the chain of entries with the same hash. */
export class HLeaf<V> {
  constructor(
    readonly t: number,
    readonly h: number,
    readonly k: HashKey,
    public v: V,
    readonly next: HLeaf<V> | null,
  ) {}
}

/** A map with no entries. */
export function emptyMap<V>(): HNode<V> {
  return new HNode<V>(0, 0, []);
}

/** What the last {@link mapSet} / {@link mapRemove} found: whether the key was there, and its value. */
export const mapFound: { hit: boolean; old: unknown } = { hit: false, old: undefined };

/** 32-bit hash: string characters FNV-1a; numbers their 64 bits mixed (ids ~1e10, prices with fractions). */
export function hashOf(key: HashKey): number {
  if (typeof key === 'string') {
    let h = 0x811c9dc5;
    for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
    return h >>> 0;
  }
  const lo = key | 0;
  const hi = (key / 4294967296) | 0;
  const fraction = ((key - Math.floor(key)) * 4294967296) | 0;
  const h = Math.imul(lo ^ Math.imul(hi, 0x27d4eb2d) ^ Math.imul(fraction, 0x165667b1), 0x9e3779b1);
  return (h ^ (h >>> 15)) >>> 0;
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 63;
}

/** The value of `key`, if any. */
export function mapGet<V>(root: HNode<V>, key: HashKey): V | undefined {
  const h = hashOf(key);
  let n = root;
  for (let shift = 0; ; shift += 5) {
    const bit = 1 << ((h >>> shift) & 31);
    if ((n.bm & bit) === 0) return undefined;
    const x = n.a[popcount(n.bm & (bit - 1))] as HNode<V> | HLeaf<V>;
    if (x instanceof HNode) {
      n = x;
      continue;
    }
    for (let l: HLeaf<V> | null = x; l !== null; l = l.next) if (l.k === key) return l.v;
    return undefined;
  }
}

function editable<V>(n: HNode<V>, t: number): HNode<V> {
  return n.t === t ? n : new HNode<V>(t, n.bm, n.a.slice());
}

/** Sets `key` to `value`; returns the new root ({@link mapFound} says whether it replaced one). */
export function mapSet<V>(root: HNode<V>, key: HashKey, value: V, t: number): HNode<V> {
  return put(root, hashOf(key), key, value, 0, t);
}

function put<V>(n: HNode<V>, h: number, key: HashKey, value: V, shift: number, t: number): HNode<V> {
  const bit = 1 << ((h >>> shift) & 31);
  const i = popcount(n.bm & (bit - 1));
  if ((n.bm & bit) === 0) {
    mapFound.hit = false;
    mapFound.old = undefined;
    const m = editable(n, t);
    m.a.splice(i, 0, new HLeaf<V>(t, h, key, value, null));
    m.bm |= bit;
    return m;
  }
  const x = n.a[i] as HNode<V> | HLeaf<V>;
  let y: HNode<V> | HLeaf<V>;
  if (x instanceof HNode) y = put(x, h, key, value, shift + 5, t);
  else if (x.h === h) y = chainSet(x, key, value, t);
  else {
    mapFound.hit = false;
    mapFound.old = undefined;
    y = pair(x, new HLeaf<V>(t, h, key, value, null), shift + 5, t);
  }
  if (y === x) return n;
  const m = editable(n, t);
  m.a[i] = y;
  return m;
}

/** A chain with `key` set to `value`. */
function chainSet<V>(x: HLeaf<V>, key: HashKey, value: V, t: number): HLeaf<V> {
  for (let l: HLeaf<V> | null = x; l !== null; l = l.next) {
    if (l.k !== key) continue;
    mapFound.hit = true;
    mapFound.old = l.v;
    if (l.t === t) {
      l.v = value;
      return x;
    }
    return rebuild(x, l, new HLeaf<V>(t, l.h, key, value, l.next), t) as HLeaf<V>;
  }
  mapFound.hit = false;
  mapFound.old = undefined;
  return new HLeaf<V>(t, x.h, key, value, x);
}

/** The chain `x` with `old` replaced by `repl` (or dropped when `repl` is null), copying what precedes it. */
function rebuild<V>(x: HLeaf<V>, old: HLeaf<V>, repl: HLeaf<V> | null, t: number): HLeaf<V> | null {
  if (x === old) return repl ?? old.next;
  return new HLeaf<V>(t, x.h, x.k, x.v, rebuild(x.next as HLeaf<V>, old, repl, t));
}

/** A node holding two leaves of different hashes. */
function pair<V>(a: HLeaf<V>, b: HLeaf<V>, shift: number, t: number): HNode<V> {
  const ia = (a.h >>> shift) & 31;
  const ib = (b.h >>> shift) & 31;
  if (ia === ib) return new HNode<V>(t, 1 << ia, [pair(a, b, shift + 5, t)]);
  return new HNode<V>(t, (1 << ia) | (1 << ib), ia < ib ? [a, b] : [b, a]);
}

/** Removes `key`; returns the new root, or `root` itself when absent ({@link mapFound} says). */
export function mapRemove<V>(root: HNode<V>, key: HashKey, t: number): HNode<V> {
  mapFound.hit = false;
  mapFound.old = undefined;
  return drop(root, hashOf(key), key, 0, t);
}

function drop<V>(n: HNode<V>, h: number, key: HashKey, shift: number, t: number): HNode<V> {
  const bit = 1 << ((h >>> shift) & 31);
  if ((n.bm & bit) === 0) return n;
  const i = popcount(n.bm & (bit - 1));
  const x = n.a[i] as HNode<V> | HLeaf<V>;
  let y: HNode<V> | HLeaf<V> | null;
  if (x instanceof HNode) {
    y = drop(x, h, key, shift + 5, t);
    if (y === x) return n;
    if (y.bm === 0) y = null;
    else if (y.a.length === 1 && y.a[0] instanceof HLeaf) y = y.a[0]; // a lone entry moves up
  } else {
    let l: HLeaf<V> | null = x;
    while (l !== null && l.k !== key) l = l.next;
    if (l === null) return n;
    mapFound.hit = true;
    mapFound.old = l.v;
    y = rebuild(x, l, null, t);
  }
  const m = editable(n, t);
  if (y === null) {
    m.a.splice(i, 1);
    m.bm &= ~bit;
  } else m.a[i] = y;
  return m;
}

/** Calls `fn` for every entry (in hash order). */
export function mapForEach<V>(n: HNode<V>, fn: (value: V, key: HashKey) => void): void {
  for (const x of n.a) {
    if (x instanceof HNode) mapForEach(x, fn);
    else for (let l: HLeaf<V> | null = x; l !== null; l = l.next) fn(l.v, l.k);
  }
}
