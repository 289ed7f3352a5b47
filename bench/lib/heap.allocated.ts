// Bytes a piece of work allocates on the V8 heap, from the heap's use before and after every
// collection that ran meanwhile (v8.GCProfiler). Unlike CPU time it hardly moves with the machine's
// load: two runs of the same code over the same data agree to within about 1 %, so it shows a change
// in the work per event that a busy machine hides in the timings.
import { GCProfiler, getHeapStatistics } from 'node:v8';

export interface Allocated {
  bytes: number;
  /** Collections that ran during the work. */
  collections: number;
}

export function heapAllocated(work: () => void): Allocated {
  const profiler = new GCProfiler();
  profiler.start();
  const before = getHeapStatistics().used_heap_size;
  work();
  const after = getHeapStatistics().used_heap_size;
  const stats = profiler.stop()?.statistics ?? [];
  // What was in use before each collection, less what the previous one left, was allocated between them.
  let bytes = 0;
  let left = before;
  for (const gc of stats) {
    bytes += gc.beforeGC.heapStatistics.usedHeapSize - left;
    left = gc.afterGC.heapStatistics.usedHeapSize;
  }
  return { bytes: bytes + after - left, collections: stats.length };
}
