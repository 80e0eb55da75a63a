import { MemoryStore } from '@twofa/core';
import { runStoreTests } from '../src/store-tests.js';

/** MemoryStore with each operation counted as one round trip, as a networked store would pay. */
function counted(): MemoryStore & { calls: number } {
  const store = new MemoryStore() as MemoryStore & { calls: number };
  store.calls = 0;
  return new Proxy(store, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function' || prop === 'constructor') return v;
      return (...args: unknown[]) => {
        target.calls++;
        return v.apply(target, args);
      };
    },
  });
}

// The reference implementation passes its own suite.
runStoreTests('memory', () => ({ store: counted() }), { roundTrips: (s) => s.calls });
