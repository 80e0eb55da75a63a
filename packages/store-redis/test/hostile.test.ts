import { runHostileInputTests } from '@twofa/testkit/conformance';
import { redisFixture } from './fixture.js';

// The property-based hostile-input suite, on a real Redis: ids and answers of any UTF-16
// reach the Lua scripts and keys here, not just a Map.
runHostileInputTests('redis', () => redisFixture('twofa-hostile'));
