/**
 * Reading one side of a persistent L2 book for grouping: a {@link LevelCursor} that seeks by
 * price down the side's B+tree and walks its leaves in order, and {@link changedPrices}, which
 * tells what changed between two versions of a side by identity: leaves a frame did not touch
 * are the same objects in both, so only the entries of the leaves it copied are compared.
 * Works for any two versions (older or newer, consecutive or not).
 * @module
 */
import type { Side } from '../book/book-side';
import type { TNode } from '../book/sorted-tree';
import type { Row } from '../protocol/frames';
import type { LevelCursor } from './level-cursor';

type Node = TNode<Row>;

function sizeOf(row: Row): number {
  const s = row.size;
  return typeof s === 'number' ? s : 0;
}

/** Walks a side's entries in key order (best price first), starting anywhere by key. */
class TreeWalk {
  private readonly nodes: Node[] = [];
  private readonly idx: number[] = [];
  /** Current leaf and index in it (the entry to read next is `leaf[i]`). */
  leaf: Node | undefined;
  i = 0;

  /** Positions at the first entry whose key is `key` or more (the first entry for -Infinity). */
  start(root: Node, key: number): void {
    const nodes = this.nodes;
    const idx = this.idx;
    nodes.length = 0;
    idx.length = 0;
    let n = root;
    while (n.c !== null) {
      const k = n.k;
      // The first child whose last key is `key` or more.
      let lo = 0;
      let hi = k.length - 1;
      while (lo < hi) {
        const m = (lo + hi) >> 1;
        if ((k[m] as number) < key) lo = m + 1;
        else hi = m;
      }
      nodes.push(n);
      idx.push(lo);
      n = n.c[lo] as Node;
    }
    const k = n.k;
    let lo = 0;
    let hi = k.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if ((k[m] as number) < key) lo = m + 1;
      else hi = m;
    }
    this.leaf = n;
    this.i = lo;
    if (lo >= k.length) this.nextLeaf();
  }

  /** Moves to the start of the next leaf (leaf undefined past the end). */
  nextLeaf(): void {
    const nodes = this.nodes;
    const idx = this.idx;
    for (let d = nodes.length - 1; d >= 0; d--) {
      const n = nodes[d] as Node;
      const next = (idx[d] as number) + 1;
      if (next < (n.c as Node[]).length) {
        idx[d] = next;
        let c = (n.c as Node[])[next] as Node;
        nodes.length = d + 1;
        idx.length = d + 1;
        while (c.c !== null) {
          nodes.push(c);
          idx.push(0);
          c = c.c[0] as Node;
        }
        this.leaf = c;
        this.i = 0;
        if (c.k.length === 0) this.nextLeaf();
        return;
      }
    }
    this.leaf = undefined;
    this.i = 0;
  }

  /** Key of the current entry; Infinity past the end. */
  key(): number {
    const l = this.leaf;
    return l === undefined ? Infinity : (l.k[this.i] as number);
  }

  /** Row of the current entry (valid while key() is finite). */
  row(): Row {
    return ((this.leaf as Node).v as Row[])[this.i] as Row;
  }

  advance(): void {
    const l = this.leaf;
    if (l === undefined) return;
    if (++this.i >= l.k.length) this.nextLeaf();
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
  }

  seek(price: number | undefined): void {
    const s = this.side as Side;
    this.walk.start(s.tree, price === undefined ? -Infinity : s.dir * price);
    this.started = false;
  }

  next(): boolean {
    const w = this.walk;
    if (this.started) w.advance();
    this.started = true;
    if (w.leaf === undefined) return false;
    const row = w.row();
    this.price = row.price as number;
    this.size = sizeOf(row);
    return true;
  }
}

const prevWalk = new TreeWalk();
const nextWalk = new TreeWalk();

/**
 * Appends to `out` the price of every level that differs between two versions of a side (added,
 * removed, or a new row), up to key `maxKey` (`dir * price` of the last price of interest).
 * Leaves shared by both versions are skipped whole.
 */
export function changedPrices(before: Side, after: Side, maxKey: number, out: number[]): void {
  if (before.tree === after.tree) return;
  const dir = after.dir;
  const a = prevWalk;
  const b = nextWalk;
  a.start(before.tree, -Infinity);
  b.start(after.tree, -Infinity);
  for (;;) {
    // Both at the start of the same leaf: nothing in it changed.
    while (a.leaf !== undefined && a.leaf === b.leaf && a.i === 0 && b.i === 0) {
      const leaf = a.leaf;
      if ((leaf.k[leaf.k.length - 1] as number) > maxKey) return;
      a.nextLeaf();
      b.nextLeaf();
    }
    if (a.leaf === undefined && b.leaf === undefined) return;
    const ka = a.key();
    const kb = b.key();
    if (ka > maxKey && kb > maxKey) return;
    if (ka === kb) {
      const ra = a.row();
      const rb = b.row();
      const ia = ra.id as number;
      const ib = rb.id as number;
      if (ia === ib) {
        if (ra !== rb) out.push(dir * ka);
        a.advance();
        b.advance();
      } else if (ia < ib) {
        out.push(dir * ka);
        a.advance();
      } else {
        out.push(dir * kb);
        b.advance();
      }
    } else if (ka < kb) {
      out.push(dir * ka);
      a.advance();
    } else {
      out.push(dir * kb);
      b.advance();
    }
  }
}
