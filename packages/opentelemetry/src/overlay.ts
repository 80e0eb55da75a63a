/**
 * `target` with some of its functions replaced, and everything else as it is: other
 * properties read through (a FakeVerifier's `sent`, a LocalVerifier's `attach`), other
 * functions called on `target` itself (so a class with private fields still works), `in`
 * and `Object.keys` as on `target`, writes go to `target`. A property that `target` does
 * not have stays absent (an optional `lookupLineType`), so feature checks see what they
 * would have seen.
 *
 * The proxy stands on an empty object whose prototype is `target`, not on `target`
 * itself: a frozen provider would otherwise forbid handing out a replaced function.
 */
export function overlay<T extends object>(target: T, replaced: { [K in keyof T]?: unknown }): T {
  const own = new Map<PropertyKey, unknown>(Object.entries(replaced).filter(([, v]) => v !== undefined));
  const bound = new Map<PropertyKey, { fn: unknown; bound: unknown }>();
  return new Proxy(Object.create(target) as T, {
    get(_shadow, key) {
      if (own.has(key)) return own.get(key);
      const value = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      const hit = bound.get(key);
      if (hit?.fn === value) return hit.bound; // one identity per function, as on target
      const b = (value as (...a: unknown[]) => unknown).bind(target);
      bound.set(key, { fn: value, bound: b });
      return b;
    },
    set(_shadow, key, value) {
      own.delete(key);
      return Reflect.set(target, key, value, target);
    },
    has: (_shadow, key) => own.has(key) || Reflect.has(target, key),
    ownKeys: () => [...new Set([...Reflect.ownKeys(target), ...(own.keys() as Iterable<string | symbol>)])],
    getOwnPropertyDescriptor(_shadow, key) {
      if (own.has(key)) return { value: own.get(key), writable: true, enumerable: true, configurable: true };
      const d = Reflect.getOwnPropertyDescriptor(target, key);
      // Reported configurable: the shadow does not hold it, and a proxy may not claim otherwise.
      return d ? { ...d, configurable: true } : undefined;
    },
  });
}
