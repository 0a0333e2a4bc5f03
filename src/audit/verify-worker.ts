import { parentPort } from 'node:worker_threads';
import { openStore, type Store } from '../store/database.js';
import { readRange, summarizeRange } from './verifier.js';

/**
 * A verification worker thread: opens its own connection to the store and summarizes the
 * ranges it is sent, one at a time (see parallel-verify.ts).
 */
export interface RangeTask {
  url: string;
  start: number;
  end: number;
  cuts: number[];
}

let store: Store | undefined;

parentPort!.on('message', (task: RangeTask) => {
  void (async () => {
    try {
      store ??= await openStore(task.url);
      parentPort!.postMessage(summarizeRange(task.start, await readRange(store.db, task.start, task.end), task.cuts));
    } catch (err) {
      parentPort!.postMessage({ error: (err as Error).message });
    }
  })();
});
