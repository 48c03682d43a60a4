/**
 * A persistent B+tree of values ordered by a number key, ties broken by a second number read from
 * the value (an order book: `dir * price`, then the level id; a log: arrival number, no ties).
 *
 * Every operation returns a new root and leaves the old tree as it was: only the path from the
 * root to the changed leaf is copied (O(log n)); every other node is shared, so an unchanged
 * subtree is the same object (`===`) in both trees. A replace that keeps the key shares even the
 * key arrays of the copied path.
 *
 * Edits made under one *token* (see {@link nextToken}) change the nodes they created in place:
 * a node carries the token of the edit that made it, and only that edit may change it. A frame
 * of four rows thus copies a leaf once, not four times. Tokens are never reused, so a node seen
 * by anyone after its edit finished is never changed again.
 * @module
 */

/** Most entries per leaf and children per branch; nodes split above and merge well below. */
const LEAF_MAX = 32;
const BRANCH_MAX = 32;

let lastToken = 0;

/** A fresh edit token. */
export function nextToken(): number {
  return ++lastToken;
}

/** Reads the tie-breaking number of a value (only called for values with equal keys). */
export type Tie<V> = (v: V) => number;

/** One node; a leaf when `c` is null. One class for both keeps property reads monomorphic. */
export class TNode<V> {
  constructor(
    /** Token of the edit that made this node. */
    public t: number,
    /** Token of the edit that owns `k` and `s` (older when they are shared with an older node). */
    public kt: number,
    /** Leaf: each entry's key; branch: each child's last key. */
    public k: number[],
    /** Branch: each child's last tie number. */
    public s: number[] | null,
    /** Leaf: the values. */
    public v: V[] | null,
    /** Branch: the children. */
    public c: TNode<V>[] | null,
  ) {}
}

/** An empty tree. */
export function emptyTree<V>(): TNode<V> {
  return new TNode<V>(0, 0, [], null, [], null);
}

/** What the last {@link set} / {@link remove} found: whether the entry existed, and its old value. */
export const found: { hit: boolean; old: unknown } = { hit: false, old: undefined };

/** Whether the last insert or removal changed keys (a replace does not). */
let keysChanged = false;
/** The new right sibling made by a split, handed to the parent. */
let split: TNode<never> | null = null;

function lastK(n: TNode<unknown>): number {
  return n.k[n.k.length - 1] as number;
}

function lastS<V>(n: TNode<V>, tie: Tie<V>): number {
  return n.s !== null ? (n.s[n.s.length - 1] as number) : tie((n.v as V[])[(n.v as V[]).length - 1] as V);
}

/** First index of a leaf whose (key, tie) is not below (key, id). */
function leafIndex<V>(n: TNode<V>, key: number, id: number, tie: Tie<V>): number {
  const k = n.k;
  let lo = 0;
  let hi = k.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if ((k[m] as number) < key) lo = m + 1;
    else hi = m;
  }
  const v = n.v as V[];
  while (lo < k.length && k[lo] === key && tie(v[lo] as V) < id) lo++;
  return lo;
}

/** The child of a branch that holds (key, id) if anything does: the first whose last is not below it. */
function childIndex(n: TNode<unknown>, key: number, id: number): number {
  const k = n.k;
  const s = n.s as number[];
  let lo = 0;
  let hi = k.length - 1;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    const km = k[m] as number;
    if (km < key || (km === key && (s[m] as number) < id)) lo = m + 1;
    else hi = m;
  }
  return lo;
}

/** The path {@link locate} found: nodes from the root, and the index taken in each. */
const pathNodes: TNode<unknown>[] = [];
const pathIdx: number[] = [];
let pathLen = 0;

/**
 * The value at (key, id), if any, remembering the path to it for {@link replaceLocated}, which
 * must follow before any other change to the tree. O(log n).
 */
export function locate<V>(root: TNode<V>, key: number, id: number, tie: Tie<V>): V | undefined {
  let n = root;
  let d = 0;
  while (n.c !== null) {
    const ci = childIndex(n, key, id);
    pathNodes[d] = n;
    pathIdx[d++] = ci;
    n = n.c[ci] as TNode<V>;
  }
  const i = leafIndex(n, key, id, tie);
  const v = n.v as V[];
  pathNodes[d] = n;
  pathIdx[d] = i;
  pathLen = d + 1;
  return i < n.k.length && n.k[i] === key && tie(v[i] as V) === id ? v[i] : undefined;
}

/**
 * Replaces the value {@link locate} found (same key) and returns the new root: copies the path
 * only, sharing every key array. O(log n), no search.
 */
export function replaceLocated<V>(value: V, t: number): TNode<V> {
  let d = pathLen - 1;
  let child = editable(pathNodes[d] as TNode<V>, t);
  (child.v as V[])[pathIdx[d] as number] = value;
  for (d--; d >= 0; d--) {
    const n = pathNodes[d] as TNode<V>;
    const ci = pathIdx[d] as number;
    if ((n.c as TNode<V>[])[ci] === child) {
      child = n;
      continue;
    }
    const m = editable(n, t);
    (m.c as TNode<V>[])[ci] = child;
    child = m;
  }
  pathLen = 0;
  return child;
}

/** `n` itself when edit `t` made it, else a copy sharing its key arrays. */
function editable<V>(n: TNode<V>, t: number): TNode<V> {
  if (n.t === t) return n;
  return new TNode<V>(t, n.kt, n.k, n.s, n.v === null ? null : n.v.slice(), n.c === null ? null : n.c.slice());
}

/** A copy of `a` with `x` inserted at `i` (one pass; splice on a fresh copy is slower). */
function inserted<T>(a: readonly T[], i: number, x: T): T[] {
  const out = a.slice(0, i);
  out.push(x);
  for (let j = i; j < a.length; j++) out.push(a[j] as T);
  return out;
}

/** A copy of `a` without index `i`. */
function removed<T>(a: readonly T[], i: number): T[] {
  const out = a.slice();
  out.splice(i, 1);
  return out;
}

/** {@link editable}, with key arrays of its own too. */
function owned<V>(n: TNode<V>, t: number): TNode<V> {
  const m = editable(n, t);
  if (m.kt !== t) {
    m.kt = t;
    m.k = m.k.slice();
    if (m.s !== null) m.s = m.s.slice();
  }
  return m;
}

/**
 * Puts `value` at (key, id), replacing the value there if any ({@link found} says). Returns the
 * new root. O(log n).
 */
export function set<V>(root: TNode<V>, key: number, id: number, value: V, t: number, tie: Tie<V>): TNode<V> {
  split = null;
  const n = ins(root, key, id, value, t, tie);
  const r = split as TNode<V> | null;
  if (r === null) return n;
  split = null;
  return new TNode<V>(t, t, [lastK(n), lastK(r)], [lastS(n, tie), lastS(r, tie)], null, [n, r]);
}

function ins<V>(n: TNode<V>, key: number, id: number, value: V, t: number, tie: Tie<V>): TNode<V> {
  if (n.c === null) {
    const i = leafIndex(n, key, id, tie);
    const v = n.v as V[];
    if (i < n.k.length && n.k[i] === key && tie(v[i] as V) === id) {
      found.hit = true;
      found.old = v[i];
      keysChanged = false;
      const m = editable(n, t);
      (m.v as V[])[i] = value;
      return m;
    }
    found.hit = false;
    found.old = undefined;
    keysChanged = true;
    let m: TNode<V>;
    if (n.t !== t) m = new TNode<V>(t, t, inserted(n.k, i, key), null, inserted(v, i, value), null);
    else {
      m = owned(n, t);
      m.k.splice(i, 0, key);
      (m.v as V[]).splice(i, 0, value);
    }
    splitIfFull(m, t);
    return m;
  }
  const ci = childIndex(n, key, id);
  const child = n.c[ci] as TNode<V>;
  const nc = ins(child, key, id, value, t, tie);
  const sp = split as TNode<V> | null;
  split = null;
  if (!keysChanged) {
    if (nc === child) return n;
    const m = editable(n, t);
    (m.c as TNode<V>[])[ci] = nc;
    return m;
  }
  const nk = lastK(nc);
  const ns = lastS(nc, tie);
  if (sp === null && nk === n.k[ci] && ns === (n.s as number[])[ci]) {
    // The child's last entry is unchanged: so are this node's keys.
    if (nc === child) return n;
    const m = editable(n, t);
    (m.c as TNode<V>[])[ci] = nc;
    return m;
  }
  const m = owned(n, t);
  const c = m.c as TNode<V>[];
  const s = m.s as number[];
  c[ci] = nc;
  m.k[ci] = nk;
  s[ci] = ns;
  if (sp !== null) {
    c.splice(ci + 1, 0, sp);
    m.k.splice(ci + 1, 0, lastK(sp));
    s.splice(ci + 1, 0, lastS(sp, tie));
    splitIfFull(m, t);
  }
  return m;
}

/**
 * Splits the upper half of `m` off into {@link split} when `m` outgrew its maximum. One path for
 * leaves and branches, every operation shared: a branch first splits ~15,000 frames into a
 * stream, long after `ins` is compiled, and code of its own had no type feedback then, so its
 * first use threw `ins`'s compiled code away; the leaves' splits give this path its feedback.
 */
function splitIfFull<V>(m: TNode<V>, t: number): void {
  const k = m.k;
  if (k.length <= (m.c === null ? LEAF_MAX : BRANCH_MAX)) return;
  const h = k.length >> 1;
  split = new TNode<V>(t, t, upperHalf(k, h) as number[], upperHalf(m.s, h), upperHalf(m.v, h), upperHalf(m.c, h)) as TNode<never>;
}

/** Removes and returns `a`'s items from `h` on; null for no array. */
function upperHalf<T>(a: T[] | null, h: number): T[] | null {
  return a === null ? null : a.splice(h);
}

/**
 * Removes the entry at (key, id). Returns the new root, or `root` itself when there is no such
 * entry ({@link found} says which, and the removed value). O(log n).
 */
export function remove<V>(root: TNode<V>, key: number, id: number, t: number, tie: Tie<V>): TNode<V> {
  let n = del(root, key, id, t, tie);
  while (n.c !== null && n.c.length === 1) n = n.c[0] as TNode<V>;
  if (n.c !== null && n.c.length === 0) return emptyTree();
  return n;
}

function del<V>(n: TNode<V>, key: number, id: number, t: number, tie: Tie<V>): TNode<V> {
  if (n.c === null) {
    const i = leafIndex(n, key, id, tie);
    const v = n.v as V[];
    if (!(i < n.k.length && n.k[i] === key && tie(v[i] as V) === id)) {
      found.hit = false;
      found.old = undefined;
      return n;
    }
    found.hit = true;
    found.old = v[i];
    if (n.t !== t) return new TNode<V>(t, t, removed(n.k, i), null, removed(v, i), null);
    const m = owned(n, t);
    m.k.splice(i, 1);
    (m.v as V[]).splice(i, 1);
    return m;
  }
  const ci = childIndex(n, key, id);
  const child = n.c[ci] as TNode<V>;
  const nc = del(child, key, id, t, tie);
  if (!found.hit) return n;
  const max = nc.c === null ? LEAF_MAX : BRANCH_MAX;
  if (nc.k.length >= max >> 2 && lastK(nc) === n.k[ci] && lastS(nc, tie) === (n.s as number[])[ci]) {
    // Not emptied, not small, last entry unchanged: this node's keys stay.
    if (nc === child) return n;
    const m = editable(n, t);
    (m.c as TNode<V>[])[ci] = nc;
    return m;
  }
  const m = owned(n, t);
  const c = m.c as TNode<V>[];
  const s = m.s as number[];
  if (nc.k.length === 0) {
    c.splice(ci, 1);
    m.k.splice(ci, 1);
    s.splice(ci, 1);
    return m;
  }
  c[ci] = nc;
  m.k[ci] = lastK(nc);
  s[ci] = lastS(nc, tie);
  if (nc.k.length < max >> 2 && c.length > 1) merge(m, ci === c.length - 1 ? ci - 1 : ci, max, t, tie);
  return m;
}

/** Merges children `a` and `a + 1` of editable branch `m` when they fit in one node. */
function merge<V>(m: TNode<V>, a: number, max: number, t: number, tie: Tie<V>): void {
  const c = m.c as TNode<V>[];
  const x = c[a] as TNode<V>;
  const y = c[a + 1] as TNode<V>;
  if (x.k.length + y.k.length > max) return;
  const leaf = x.c === null;
  const z = new TNode<V>(
    t,
    t,
    x.k.concat(y.k),
    leaf ? null : (x.s as number[]).concat(y.s as number[]),
    leaf ? (x.v as V[]).concat(y.v as V[]) : null,
    leaf ? null : (x.c as TNode<V>[]).concat(y.c as TNode<V>[]),
  );
  c.splice(a, 2, z);
  m.k.splice(a, 2, lastK(z));
  (m.s as number[]).splice(a, 2, lastS(z, tie));
}

/** Appends the first `limit` values, in order, to `out` (all with Infinity). O(log n + limit). */
export function collect<V>(root: TNode<V>, limit: number, out: V[]): V[] {
  walk(root, limit, out);
  return out;
}

function walk<V>(n: TNode<V>, limit: number, out: V[]): void {
  if (n.c === null) {
    const v = n.v as V[];
    for (let i = 0; i < v.length && out.length < limit; i++) out.push(v[i] as V);
    return;
  }
  for (let i = 0; i < n.c.length && out.length < limit; i++) walk(n.c[i] as TNode<V>, limit, out);
}

/** A tree of the given entries, sorted by (key, tie) with no two equal. O(n). */
export function build<V>(keys: readonly number[], values: readonly V[], t: number, tie: Tie<V>): TNode<V> {
  const fill = (LEAF_MAX * 3) >> 2;
  let level: TNode<V>[] = [];
  for (let i = 0; i < keys.length; i += fill) {
    level.push(new TNode<V>(t, t, keys.slice(i, i + fill), null, values.slice(i, i + fill), null));
  }
  if (level.length === 0) return emptyTree();
  const bfill = (BRANCH_MAX * 3) >> 2;
  while (level.length > 1) {
    const up: TNode<V>[] = [];
    for (let i = 0; i < level.length; i += bfill) {
      const kids = level.slice(i, i + bfill);
      up.push(new TNode<V>(t, t, kids.map(lastK), kids.map((x) => lastS(x, tie)), null, kids));
    }
    level = up;
  }
  return level[0] as TNode<V>;
}
