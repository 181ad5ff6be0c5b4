/**
 * Minibatch row indices: drawn with replacement (the assignment), shuffled epochs
 * (a permutation consumed batch by batch, reshuffled when too little is left), or
 * the full training set (gd). Its state is the permutation and the cursor.
 */
import type { Config } from '../config/schema.js';
import type { Rng } from '../core/rng.js';
import { checkedCopy } from './checks.js';

export class Sampler {
  private readonly rows: Int32Array;
  private readonly order: Int32Array | null = null;
  private cursor: number;

  constructor(
    private readonly kind: Config['sample'] | 'full',
    private readonly n: number,
    private readonly batch: number,
    private readonly rng: Rng,
    from?: { order: Int32Array | null; cursor: number },
  ) {
    this.rows = new Int32Array(kind === 'full' ? 0 : batch);
    this.cursor = n; // start with a shuffle
    if (kind !== 'epoch') return;
    if (from?.order) {
      this.order = checkedCopy(from.order, n, 'epoch order');
      this.cursor = from.cursor;
    } else {
      this.order = new Int32Array(n);
      for (let i = 0; i < n; i++) this.order[i] = i;
    }
  }

  next(): Int32Array | null {
    if (this.kind === 'full') return null;
    if (this.kind === 'replacement') return this.rng.fillInts(this.rows, this.n);
    const order = this.order!;
    if (this.cursor + this.batch > this.n) {
      this.rng.shuffle(order);
      this.cursor = 0;
    }
    const slice = order.subarray(this.cursor, this.cursor + this.batch);
    this.cursor += this.batch;
    return slice;
  }

  state(): { order: Int32Array | null; cursor: number } {
    return { order: this.order ? this.order.slice() : null, cursor: this.cursor };
  }
}
