// The control block: how threads share out the work of a job (see index.ts).
//
// i32 slots at CTRL (the JS side, src/kernels/wasm/pool.ts, uses the same numbers):
//   0 GEN    the current job's tag, written by the main thread to wake the workers
//   1 STOP   1: workers leave their loop (JS only)
//   2 ERR    failures in workers so far (JS only)
//   3 NEXT   (tag << 16) | (number of superblocks << 8) | next superblock to claim
//   4 NEXT2  the same for the chunks of the final reduction
//   5 DONE   superblocks finished in the current job
//   8 + t    BUSY[t]: the tag of the job thread t works on, 0 when idle
// Tags run 1..32767, a new one per job. Packing the tag and the count with the counter
// makes a claim fail for a thread that woke up only after a newer job began: it may
// have read a half-rewritten job descriptor, but it can never act on it.
import { CTRL } from './layout';

const ERR: usize = CTRL + 8;
const NEXT: usize = CTRL + 12;
const NEXT2: usize = CTRL + 16;
const DONE: usize = CTRL + 20;
const BUSY: usize = CTRL + 32;

/** Open a job of S superblocks and `chunks` reduction chunks (both < 256) under its tag. */
export function openJob(tag: i32, S: i32, chunks: i32): void {
  atomic.store<i32>(DONE, 0);
  atomic.store<i32>(NEXT2, (tag << 16) | (chunks << 8));
  atomic.store<i32>(NEXT, (tag << 16) | (S << 8));
}

@inline function claimAt(slot: usize, tag: i32): i32 {
  let v = atomic.load<i32>(slot);
  while (v >>> 16 == tag && (v & 0xff) < ((v >> 8) & 0xff)) {
    const seen = atomic.cmpxchg<i32>(slot, v, v + 1);
    if (seen == v) return v & 0xff;
    v = seen;
  }
  return -1;
}

/** The next unclaimed superblock of job tag, or −1: none left, or a newer job began. */
export function claimSuperblock(tag: i32): i32 {
  return claimAt(NEXT, tag);
}

/** The next unclaimed reduction chunk, likewise. */
export function claimChunk(tag: i32): i32 {
  return claimAt(NEXT2, tag);
}

/** Count a finished superblock and wake threads waiting for all of them. */
export function superblockDone(): void {
  atomic.add<i32>(DONE, 1);
  atomic.notify(DONE);
}

/**
 * Wait until all S superblocks of the job are finished (others may still be computing
 * theirs): spin briefly, then sleep, so a thread the OS has put aside gets the core.
 * Returns false when a newer job began meanwhile (this thread woke up too late) or a
 * thread failed (its superblock will never be done).
 */
export function waitSuperblocks(tag: i32, S: i32): bool {
  let spins = 0;
  while (atomic.load<i32>(NEXT2) >>> 16 == tag && atomic.load<i32>(ERR) == 0) {
    const done = atomic.load<i32>(DONE);
    if (done >= S) return true;
    if (++spins > 20000) atomic.wait<i32>(DONE, done, 1000000); // ≤ 1 ms, then look again
  }
  return false;
}

/** Mark thread tid busy with job tag (0: idle); the main thread waits on idle. */
export function setBusy(tid: i32, tag: i32): void {
  const p = BUSY + (<usize>tid << 2);
  atomic.store<i32>(p, tag);
  if (tag == 0) atomic.notify(p);
}
