import type { Lock, TokenStore } from '@ads-token/core';

/**
 * The test runner's test function: vitest's and jest's `test`/`it`, node:test's `test` and
 * mocha's `it` all fit. `timeout` (ms) is passed as the third argument.
 */
export type TestFn = (name: string, fn: () => Promise<void>, timeout?: number) => void;

/** What a {@link tokenStoreSuite} factory returns for one test. */
export interface TokenStoreHarness {
  /** The store under test, over backing data no other test touches (or a shared one: keys are unique per test). */
  store: TokenStore;
  /** A second instance over the same backing data, as another process would have; needs `{ peer: true }`. */
  peer?: TokenStore;
  /** Called after each test, also after a failure: close instances, remove files. A test may already have closed `store`. */
  cleanup?(): Promise<void>;
}

/** What a {@link lockSuite} factory returns for one test. */
export interface LockHarness {
  /** The lock under test. */
  lock: Lock;
  /** A second instance over the same backend, as another process would have; needs `{ peer: true }`. */
  peer?: Lock;
  /** Makes the current lease on `key` lost as a crash or expiry would (e.g. deletes the lock entry); needs `{ loseLease: true }`. */
  loseLease?(key: string): Promise<void>;
  /** Called after each test, also after a failure. */
  cleanup?(): Promise<void>;
}

/** Options shared by both suites. */
export interface SuiteOptions {
  /**
   * Text every test name starts with.
   * @default 'TokenStore' or 'Lock'
   */
  name?: string;
  /**
   * Bound for things that must happen "promptly" (a notification, a lost lease signalled, the
   * next waiter let in), in ms: generous, so a loaded machine still passes.
   * @default 5000
   */
  withinMs?: number;
  /**
   * Timeout passed to each test, in ms.
   * @default 60000
   */
  testTimeoutMs?: number;
}

/** Options for {@link tokenStoreSuite}. */
export interface TokenStoreSuiteOptions extends SuiteOptions {
  /**
   * Run the tests that use `harness.peer` (a check fails when this and the harness disagree).
   * @default false
   */
  peer?: boolean;
  /**
   * Run the `subscribe` tests (a check fails when this and the store disagree).
   * @default false
   */
  subscribe?: boolean;
  /**
   * Writers racing for one key.
   * @default 20
   */
  concurrency?: number;
  /**
   * Keys written for the listing test.
   * @default 250
   */
  listSize?: number;
}

/** Options for {@link lockSuite}. */
export interface LockSuiteOptions extends SuiteOptions {
  /**
   * Run the tests that use `harness.peer` (a check fails when this and the harness disagree).
   * @default false
   */
  peer?: boolean;
  /**
   * Run the lease-loss tests that use `harness.loseLease` (a check fails when this and the harness disagree).
   * @default false
   */
  loseLease?: boolean;
  /**
   * Lease time used by the tests, in ms: small, so renewal is exercised.
   * @default 1000
   */
  ttlMs?: number;
  /**
   * Contenders for one key in the exclusivity tests.
   * @default 20
   */
  contenders?: number;
}
