// @twofa/testkit/conformance: the suites every Store, Verifier and MessageSender runs on
// itself (vitest), and the assertions they share.
export { runStoreTests, type StoreFixture, type StoreTestContext, type StoreTestOptions } from './store-tests.js';
export { runVerifierTests, type VerifierHarness, type VerifierScript } from './verifier-tests.js';
export { runSenderTests, type SenderHarness, type SenderScript } from './sender-tests.js';
export { runPhoneFlow, type PhoneFlowSetup } from './app-flow.js';
export { expectNoSecrets, expectTwoFactorError, expectGivesUpAt } from './conformance-shared.js';
export { readErrorTable, type ErrorTableRow } from './error-table.js';
