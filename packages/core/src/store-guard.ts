import { TwoFactorError } from './errors.js';
import type { Store } from './store.js';

/**
 * Fail closed: any store failure that is not already a TwoFactorError becomes
 * 'store_unavailable', so an unreachable store can only refuse, never let a code through.
 */
export function guardStore(store: Store): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        try {
          const r = value.apply(target, args);
          return r instanceof Promise ? r.catch(wrap) : r;
        } catch (e) {
          return wrap(e);
        }
      };
    },
  });
}

function wrap(e: unknown): never {
  if (e instanceof TwoFactorError) throw e;
  throw new TwoFactorError('store_unavailable', { cause: e });
}
