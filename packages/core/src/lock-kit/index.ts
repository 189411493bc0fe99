export { LeaseKeeper, keepLease } from './lease-keeper.js';
export type { KeepLeaseOptions } from './lease-keeper.js';
export { waitForLock } from './wait-for-lock.js';
export type { LockWaiter, WaitForLockOptions } from './wait-for-lock.js';
export { boundedOperation } from './bounded-operation.js';
export type { OperationBounds } from './bounded-operation.js';
