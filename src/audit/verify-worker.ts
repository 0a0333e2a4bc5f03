import { parentPort } from 'node:worker_threads';
import { openStore, type Store } from '../store/database.js';
import { checkRange } from './verify-range.js';

/**
 * A verification worker thread: opens its own connection to the store and checks the
 * index ranges it is sent, one at a time. See parallel-verify.ts.
 */
export interface RangeTask {
  url: string;
  start: number;
  end: number;
}

let store: Store | undefined;

parentPort!.on('message', (task: RangeTask) => {
  void (async () => {
    try {
      store ??= await openStore(task.url);
      const result = await checkRange(store.db, task.start, task.end);
      parentPort!.postMessage(result, result.ok ? [result.leaves.buffer as ArrayBuffer, result.pruned.buffer as ArrayBuffer] : []);
    } catch (err) {
      parentPort!.postMessage({ error: (err as Error).message });
    }
  })();
});
