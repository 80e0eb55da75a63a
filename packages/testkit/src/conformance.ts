/**
 * The vitest suites every Store, Verifier and MessageSender runs on itself, and the assertions they share. ESM only.
 *
 * @packageDocumentation
 * @module @twofa/testkit/conformance
 */
// @twofa/testkit/conformance: the suites every Store, Verifier and MessageSender runs on
// itself (vitest), and the assertions they share.
export { runStoreTests, type StoreFixture, type StoreTestContext, type StoreTestOptions } from './store-tests.js';
export { runVerifierTests, type VerifierHarness, type VerifierScript } from './verifier-tests.js';
export { runSenderTests, type SenderHarness, type SenderScript } from './sender-tests.js';
export { runPhoneFlow, type PhoneFlowSetup } from './app-flow.js';
export { expectNoSecrets, expectTwoFactorError, expectGivesUpAt } from './conformance-shared.js';
export { runHostileInputTests, type HostileTestOptions } from './hostile-tests.js';
export { readErrorTable, runErrorTableTests, type ErrorTableRow, type ErrorTableHarness, type ScriptedAnswer } from './error-table.js';
export { runOptionsTests, type OptionsHarness } from './options-tests.js';
