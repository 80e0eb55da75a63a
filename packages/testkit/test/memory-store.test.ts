import { MemoryStore } from '@twofa/core';
import { runStoreTests } from '../src/store-tests.js';

// The reference implementation passes its own suite.
runStoreTests('memory', () => ({ store: new MemoryStore() }));
