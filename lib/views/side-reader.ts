/**
 * Reading one side of a persistent L2 book for grouping: a {@link LevelCursor} that seeks by
 * price down the side's B+tree and walks its leaves in order, and {@link changedLevels}, which
 * tells what changed between two versions of a side by identity: subtrees a frame did not touch
 * are the same objects in both, so only the nodes on the paths it copied are opened.
 * Works for any two versions (older or newer, consecutive or not).
 *
 * This file is the only one in lib/views/ that knows the tree's layout (lib/book/sorted-tree.ts:
 * a node is a leaf when `c` is null; a leaf's `k` holds the keys and `v` the rows; a branch's
 * `k` holds each child's last key) and a side's (lib/book/book-side.ts: the best rows in the
 * `head` leaf, every one before every row of the `tree`). Stacks are kept as arrays with a
 * separate length, never shortened: setting an array's `length` is a slow runtime call here.
 * @module
 */
import type { Side } from '../book/book-side';
import type { TNode } from '../book/sorted-tree';
import type { Row } from '../protocol/frames';
import type { LevelChanges, LevelCursor } from './level-cursor';

type Node = TNode<Row>;

function sizeOf(row: Row): number {
  const s = row.size;
  return typeof s === 'number' ? s : 0;
}

/** `b - a` for sizes in whole numbers (then exact); NaN otherwise. */
function sizeChange(a: number, b: number): number {
  return Number.isSafeInteger(a) && Number.isSafeInteger(b) ? b - a : NaN;
}

/** Index of the first of `keys[from..to)` that is `key` or more (`to` when none). */
function lowerBound(keys: readonly number[], from: number, to: number, key: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if ((keys[m] as number) < key) lo = m + 1;
    else hi = m;
  }
  return lo;
}

/** Walks a side's entries in key order (best price first, the head first), starting anywhere by key. */
class TreeWalk {
  /** The branches above the current leaf, root first, and the child index taken in each. */
  private readonly nodes: Node[] = [];
  private readonly idx: number[] = [];
  private depth = 0;
  /** The side's tree, entered after the head. */
  private tree: Node | undefined;
  private inHead = false;
  /** Current leaf and index in it (the entry to read next is `leaf[i]`). */
  leaf: Node | undefined;
  i = 0;

  /** Positions at the first entry whose key is `key` or more (the first entry for -Infinity). */
  start(side: Side, key: number): void {
    const nodes = this.nodes;
    const idx = this.idx;
    const head = side.head;
    this.tree = side.tree;
    // The head holds `key` unless its last entry is below it.
    this.inHead = head.k.length > 0 && (head.k[head.k.length - 1] as number) >= key;
    let d = 0;
    let n = this.inHead ? head : side.tree;
    while (n.c !== null) {
      // The first child whose last key is `key` or more (the last child when none is).
      const ci = lowerBound(n.k, 0, n.k.length - 1, key);
      nodes[d] = n;
      idx[d++] = ci;
      n = n.c[ci] as Node;
    }
    this.depth = d;
    this.leaf = n;
    this.i = lowerBound(n.k, 0, n.k.length, key);
    if (this.i >= n.k.length) this.nextLeaf();
  }

  /** Moves to the start of the next leaf (leaf undefined past the end). */
  nextLeaf(): void {
    const nodes = this.nodes;
    const idx = this.idx;
    if (this.inHead) {
      // From the head to the tree's first leaf.
      this.inHead = false;
      this.down(this.tree as Node, 0);
      return;
    }
    for (let d = this.depth - 1; d >= 0; d--) {
      const kids = (nodes[d] as Node).c as Node[];
      const next = (idx[d] as number) + 1;
      if (next >= kids.length) continue;
      idx[d] = next;
      this.down(kids[next] as Node, d + 1);
      return;
    }
    this.leaf = undefined;
    this.i = 0;
  }

  /** Goes from node `c`, at depth `e`, down its first children to the start of a leaf. */
  private down(c: Node, e: number): void {
    while (c.c !== null) {
      this.nodes[e] = c;
      this.idx[e++] = 0;
      c = c.c[0] as Node;
    }
    this.depth = e;
    this.leaf = c;
    this.i = 0;
    if (c.k.length === 0) this.nextLeaf();
  }
}

/** A {@link LevelCursor} over one side of a persistent book. */
export class SideCursor implements LevelCursor {
  private side: Side | undefined;
  private readonly walk = new TreeWalk();
  private started = false;
  price = NaN;
  size = NaN;

  /** Points the cursor at a side (any version). */
  reset(side: Side): void {
    this.side = side;
    this.started = false;
    this.walk.leaf = undefined;
  }

  seek(price: number | undefined): void {
    const s = this.side as Side;
    this.walk.start(s, price === undefined ? -Infinity : s.dir * price);
    this.started = false;
  }

  next(): boolean {
    const w = this.walk;
    let leaf = w.leaf;
    if (leaf === undefined) return false;
    if (this.started && ++w.i >= leaf.k.length) {
      w.nextLeaf();
      leaf = w.leaf;
      if (leaf === undefined) return false;
    }
    this.started = true;
    const row = (leaf.v as Row[])[w.i] as Row;
    this.price = row.price as number;
    this.size = sizeOf(row);
    return true;
  }
}

/**
 * The nodes of one version still to compare, in key order: a stack whose top is the next
 * subtree (a branch is pushed as its children, first on top), with a position in the top node
 * when it is a leaf, and each entry's height so that the taller of two differing tops is opened.
 */
class Frontier {
  readonly nodes: Node[] = [];
  readonly heights: number[] = [];
  n = 0;
  /** Next entry of the top node, when it is a leaf. */
  i = 0;

  /** Starts with the whole side: its tree, and on top of it the head (a leaf: height 0). */
  reset(side: Side): void {
    const root = side.tree;
    let h = 0;
    for (let c = root; c.c !== null; c = c.c[0] as Node) h++;
    this.nodes[0] = root;
    this.heights[0] = h;
    this.nodes[1] = side.head;
    this.heights[1] = 0;
    this.n = 2;
    this.i = 0;
  }

  /** Replaces the top (a branch) by its children that may hold keys up to `maxKey`. */
  open(maxKey: number): void {
    const b = this.nodes[this.n - 1] as Node;
    this.replaceTop(b, 0, lastChild(b, maxKey));
  }

  /** Replaces the top (branch `b`) by its children `from..to` (none when `to < from`). */
  replaceTop(b: Node, from: number, to: number): void {
    const top = --this.n;
    const h = (this.heights[top] as number) - 1;
    const kids = b.c as Node[];
    for (let j = to; j >= from; j--) {
      this.nodes[this.n] = kids[j] as Node;
      this.heights[this.n++] = h;
    }
    this.i = 0;
  }

  pop(): void {
    this.n--;
    this.i = 0;
  }
}

/** The last child of branch `b` that may hold keys up to `maxKey` (child j holds keys from k[j-1] on). */
function lastChild(b: Node, maxKey: number): number {
  const last = b.k.length - 1;
  let j = lowerBound(b.k, 0, last, maxKey);
  // Ties: the next child may start at maxKey itself.
  while (j < last && (b.k[j] as number) <= maxKey) j++;
  return j;
}

/**
 * Opens two different branches of the same height at the tops of `a` and `b`, leaving out the
 * children both share at the start and at the end: they hold the same entries in both.
 */
function openBoth(a: Frontier, b: Frontier, maxKey: number): void {
  const x = a.nodes[a.n - 1] as Node;
  const y = b.nodes[b.n - 1] as Node;
  const xc = x.c as Node[];
  const yc = y.c as Node[];
  let la = lastChild(x, maxKey);
  let lb = lastChild(y, maxKey);
  let p = 0;
  while (p <= la && p <= lb && xc[p] === yc[p]) p++;
  while (la >= p && lb >= p && xc[la] === yc[lb]) {
    la--;
    lb--;
  }
  a.replaceTop(x, p, la);
  b.replaceTop(y, p, lb);
}

/** Where the last {@link mergeRows} stopped in each range. */
let endI = 0;
let endJ = 0;

const NO_KEYS: readonly number[] = [];
const NO_ROWS: readonly Row[] = [];

/**
 * Compares rows `xk/xv[i..ex)` of a leaf of the older version with `yk/yv[j..ey)` of the newer,
 * adding the differences to `out`, until both ranges end (or, with `untilOne`, one of them:
 * the next leaf on that side goes on from there); true when it reached keys past `maxKey` on
 * both sides (then nothing after them matters either). {@link endI} and {@link endJ} say where
 * it stopped.
 */
function mergeRows(xk: readonly number[], xv: readonly Row[], i: number, ex: number, yk: readonly number[], yv: readonly Row[], j: number, ey: number, dir: number, maxKey: number, out: LevelChanges, untilOne: boolean): boolean {
  while (untilOne ? i < ex && j < ey : i < ex || j < ey) {
    const ka = i < ex ? (xk[i] as number) : Infinity;
    const kb = j < ey ? (yk[j] as number) : Infinity;
    if (ka > maxKey && kb > maxKey) return true;
    if (ka < kb) {
      out.add(dir * ka, sizeChange(sizeOf(xv[i++] as Row), 0), -1);
    } else if (kb < ka) {
      out.add(dir * kb, sizeChange(0, sizeOf(yv[j++] as Row)), 1);
    } else {
      const ra = xv[i] as Row;
      const rb = yv[j] as Row;
      const ia = ra.id as number;
      const ib = rb.id as number;
      if (ia === ib) {
        if (ra !== rb) out.add(dir * ka, sizeChange(sizeOf(ra), sizeOf(rb)), 0);
        i++;
        j++;
      } else if (ia < ib) {
        out.add(dir * ka, sizeChange(sizeOf(ra), 0), -1);
        i++;
      } else {
        out.add(dir * kb, sizeChange(0, sizeOf(rb)), 1);
        j++;
      }
    }
  }
  endI = i;
  endJ = j;
  return false;
}

const before$ = new Frontier();
const after$ = new Frontier();

/**
 * Adds to `out` every level that differs between two versions of a side (added, removed, or a
 * new row), up to key `maxKey` (`dir * price` of the last price of interest), with its size and
 * count difference from `before` to `after` (see {@link LevelChanges}). Subtrees shared by both
 * versions are skipped whole, so a frame that changed a few leaves costs a few root-to-leaf
 * paths.
 */
export function changedLevels(before: Side, after: Side, maxKey: number, out: LevelChanges): void {
  if (before.head === after.head && before.tree === after.tree) return;
  const dir = after.dir;
  const a = before$;
  const b = after$;
  a.reset(before);
  b.reset(after);
  const an = a.nodes;
  const bn = b.nodes;
  for (;;) {
    const x = a.n > 0 ? (an[a.n - 1] as Node) : undefined;
    const y = b.n > 0 ? (bn[b.n - 1] as Node) : undefined;
    if (x === y) {
      if (x === undefined) return;
      if (a.i === b.i) {
        // The same node from the same place on: nothing in the rest of it changed.
        a.pop();
        b.pop();
        continue;
      }
    }
    const hx = x === undefined ? -1 : (a.heights[a.n - 1] as number);
    const hy = y === undefined ? -1 : (b.heights[b.n - 1] as number);
    if (hx > 0 || hy > 0) {
      if (hx === hy) openBoth(a, b, maxKey);
      else if (hx > hy) a.open(maxKey);
      else b.open(maxKey);
      continue;
    }
    // Both tops are leaves (or one side is spent): compare entries.
    if (x !== undefined && a.i >= x.k.length) {
      a.pop();
      continue;
    }
    if (y !== undefined && b.i >= y.k.length) {
      b.pop();
      continue;
    }
    if (x !== undefined && y !== undefined && a.i === 0 && b.i === 0) {
      // Two whole leaves: rows both start with are the same levels; skip them.
      const xv = x.v as Row[];
      const yv = y.v as Row[];
      const xl = xv.length;
      const yl = yv.length;
      let p = 0;
      while (p < xl && p < yl && xv[p] === yv[p]) p++;
      if (xl > 0 && yl > 0 && xv[xl - 1] === yv[yl - 1]) {
        // They end with the same level too: only the rows between differ (a replace, or an
        // insert or delete inside the leaf); compare those, and both leaves are done.
        let ex = xl - 1;
        let ey = yl - 1;
        while (ex > p && ey > p && xv[ex - 1] === yv[ey - 1]) {
          ex--;
          ey--;
        }
        if (mergeRows(x.k, xv, p, ex, y.k, yv, p, ey, dir, maxKey, out, false)) return;
        a.pop();
        b.pop();
        continue;
      }
      a.i = p;
      b.i = p;
      if (p >= xl || p >= yl) continue;
    }
    // The rows of the two leaves, until one ends (a spent side has no rows left at all).
    const both = x !== undefined && y !== undefined;
    const xk = x === undefined ? NO_KEYS : x.k;
    const yk = y === undefined ? NO_KEYS : y.k;
    if (mergeRows(xk, x === undefined ? NO_ROWS : (x.v as Row[]), a.i, xk.length, yk, y === undefined ? NO_ROWS : (y.v as Row[]), b.i, yk.length, dir, maxKey, out, both)) return;
    a.i = endI;
    b.i = endJ;
  }
}
