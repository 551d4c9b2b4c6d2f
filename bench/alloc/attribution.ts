/** A node of V8's sampling heap profile: a function on the stack, and what it allocated itself. */
export interface ProfileNode {
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly selfSize: number;
  readonly children: readonly ProfileNode[];
}

/** One collection as v8.GCProfiler reports it: the heap's used bytes before and after. */
export interface Collection {
  readonly beforeGC: { readonly heapStatistics: { readonly usedHeapSize: number } };
  readonly afterGC: { readonly heapStatistics: { readonly usedHeapSize: number } };
}

/**
 * Bytes allocated on the V8 heap between two readings of its used size, from the collections in
 * between: what each found (its heap before) less what the previous one left, and what was added
 * since the last. Node 20's heap statistics have no allocated-bytes total.
 */
export const allocatedBytes = (
  usedAtStart: number,
  collections: readonly Collection[],
  usedAtStop: number,
): number => {
  let allocated = 0;
  let usedAfterLast = usedAtStart;
  for (const collection of collections) {
    allocated += collection.beforeGC.heapStatistics.usedHeapSize - usedAfterLast;
    usedAfterLast = collection.afterGC.heapStatistics.usedHeapSize;
  }
  return allocated + usedAtStop - usedAfterLast;
};

/** Who a frame belongs to: a package, a Node module, a file of ours (`dist/…`), or V8 itself. */
export const ownerOf = (url: string): string => {
  const inModules = url.lastIndexOf('/node_modules/');
  if (inModules >= 0) {
    const [scope, name] = url.slice(inModules + '/node_modules/'.length).split('/');
    return scope!.startsWith('@') ? `${scope}/${name}` : scope!;
  }
  if (url.startsWith('node:')) return 'node (internals)';
  const inDist = url.indexOf('/dist/');
  if (inDist >= 0)
    return `switchboard ${url
      .slice(inDist + '/dist/'.length)
      .split('/')
      .slice(0, 2)
      .join('/')}`;
  return url === '' ? '(V8: builtins, GC, runtime)' : url;
};

const ownCode = (url: string): boolean =>
  url.includes('/dist/') && !url.includes('/node_modules/') && !url.includes('/dist/bench/');

/** Sums the profile's self sizes by the allocating code's owner and by the nearest Switchboard function. */
export function attribute(head: ProfileNode): { byOwner: Map<string, number>; bySite: Map<string, number> } {
  const byOwner = new Map<string, number>();
  const bySite = new Map<string, number>();
  const add = (into: Map<string, number>, key: string, bytes: number): void => {
    into.set(key, (into.get(key) ?? 0) + bytes);
  };
  const walk = (node: ProfileNode, owner: string, site: string): void => {
    const { url, functionName, lineNumber } = node.callFrame;
    // A builtin (JSON.stringify, Array.prototype.map) allocates for its caller: charge the caller's owner.
    const nodeOwner = url === '' && owner !== '' ? owner : ownerOf(url);
    const nodeSite = ownCode(url)
      ? `${functionName || '(anonymous)'} ${url.slice(url.indexOf('/dist/') + '/dist/'.length)}:${lineNumber + 1}`
      : site;
    if (node.selfSize > 0) {
      add(byOwner, nodeOwner, node.selfSize);
      add(bySite, nodeSite || `(no Switchboard frame) ${nodeOwner}`, node.selfSize);
    }
    for (const child of node.children) walk(child, nodeOwner, nodeSite);
  };
  walk(head, '', '');
  return { byOwner, bySite };
}
