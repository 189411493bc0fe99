export { LwaSimulator } from './lwa-simulator.js';
export type {
  IssueCodeOptions,
  LwaConsentBehaviour,
  LwaCounts,
  LwaErrorResponse,
  LwaFault,
  LwaRequestRecord,
  LwaSimulatorOptions,
  LwaTokenResponse,
} from './lwa/types.js';
export { AdsApiSimulator } from './ads-api-simulator.js';
export type {
  AdsAccountInfo,
  AdsApiCountFilter,
  AdsApiEcho,
  AdsApiErrorBody,
  AdsApiFault,
  AdsApiRequestRecord,
  AdsApiSimulatorOptions,
  AdsApiTokenIssuer,
  AdsProfile,
} from './ads-api/types.js';
export { FAKE_CLOCK_START, FakeClock } from './fake-clock.js';
export type { FakeClockOptions } from './fake-clock.js';
export { tokenStoreSuite } from './conformance/token-store-suite.js';
export { lockSuite } from './conformance/lock-suite.js';
export { SEALED_ALPHABET } from './conformance/sealed-alphabet.js';
export type {
  LockHarness,
  LockSuiteOptions,
  SuiteOptions,
  TestFn,
  TokenStoreHarness,
  TokenStoreSuiteOptions,
} from './conformance/types.js';
export { startFleetWorker } from './fleet/start-fleet-worker.js';
export type { FleetWorker, FleetWorkerResult, StartFleetWorkerOptions } from './fleet/start-fleet-worker.js';
export { recordEvents, runFleetWorker } from './fleet/run-fleet-worker.js';
export type { RecordedEvent, RunFleetWorkerOptions } from './fleet/run-fleet-worker.js';
export { recordLeases } from './fleet/record-leases.js';
