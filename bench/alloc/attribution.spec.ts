import v8 from 'node:v8';
import { allocatedBytes, attribute, type ProfileNode } from './attribution.js';

const frame = (
  functionName: string,
  url: string,
  selfSize: number,
  ...children: ProfileNode[]
): ProfileNode => ({
  callFrame: { functionName, url, lineNumber: 9 },
  selfSize,
  children,
});

describe("bench:alloc's accounting", () => {
  it('counts what collections freed, not only what the heap grew by', () => {
    // Given a window in which the heap grew from 10 to 30 MB, was collected down to 12, grew to 40,
    // was collected down to 15 and ended at 20
    const collection = (before: number, after: number) => ({
      beforeGC: { heapStatistics: { usedHeapSize: before } },
      afterGC: { heapStatistics: { usedHeapSize: after } },
    });
    // When its allocated bytes are counted
    const allocated = allocatedBytes(10, [collection(30, 12), collection(40, 15)], 20);
    // Then they are every growth: 20 + 28 + 5
    expect(allocated).toBe(53);
  });

  it("counts this process's short-lived allocations within a few percent (v8.GCProfiler's figures)", () => {
    // Given the GC profiler running
    const profiler = new v8.GCProfiler();
    profiler.start();
    const usedAtStart = v8.getHeapStatistics().used_heap_size;
    // When 64 MB of arrays are allocated and dropped, a young collection's worth at a time
    const chunkBytes = 1024 * 1024;
    let kept = 0;
    for (let chunk = 0; chunk < 64; chunk++) kept += new Array<number>(chunkBytes / 8).fill(chunk).length;
    const usedAtStop = v8.getHeapStatistics().used_heap_size;
    const { statistics } = profiler.stop();
    // Then the count says 64 MB, and some for the profiler's own bookkeeping
    const allocated = allocatedBytes(usedAtStart, statistics, usedAtStop);
    expect(kept).toBe(64 * (chunkBytes / 8));
    expect(statistics.length).toBeGreaterThan(0);
    expect(allocated).toBeGreaterThanOrEqual(64 * chunkBytes);
    expect(allocated).toBeLessThan(64 * chunkBytes * 1.1);
  });

  it("charges a builtin's allocation to its caller's package, and each site to the nearest Switchboard function", () => {
    // Given a profile in which our handler calls into a library that calls JSON.stringify
    const head = frame(
      '(root)',
      '',
      0,
      frame(
        'handle',
        'file:///repo/dist/apps/api/src/lines/lines.controller.js',
        100,
        frame('encode', 'file:///repo/node_modules/@scope/lib/index.js', 1_000, frame('stringify', '', 500)),
      ),
      frame('onData', 'node:internal/streams/readable', 50),
    );
    // When it is attributed
    const { byOwner, bySite } = attribute(head);
    // Then the library owns its own bytes and the builtin's, and our handler caused all of them
    expect(Object.fromEntries(byOwner)).toEqual({
      'switchboard apps/api': 100,
      '@scope/lib': 1_500,
      'node (internals)': 50,
    });
    expect(Object.fromEntries(bySite)).toEqual({
      'handle apps/api/src/lines/lines.controller.js:10': 1_600,
      '(no Switchboard frame) node (internals)': 50,
    });
  });
});
