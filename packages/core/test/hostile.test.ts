import { MemoryStore } from '@twofa/core';
import { runHostileInputTests } from '@twofa/testkit/conformance';

// The same property-based suite runs on the Redis store (packages/store-redis/test).
runHostileInputTests('memory', () => ({ store: new MemoryStore() }));
