import type { TokenEvent } from '@ads-token/core';
import type { Attributes, Counter, Histogram, Meter } from '@opentelemetry/api';
import { ATTRIBUTE_NAMES as A, METRIC_NAMES as M } from './names.js';

const DURATION_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60];

/** The counters and histograms fed by events. */
export class EventMetrics {
  readonly #refreshes: Counter;
  readonly #refreshDuration: Histogram;
  readonly #lockWait: Histogram;
  readonly #retries: Counter;
  readonly #revocations: Counter;
  readonly #lockUnavailable: Counter;
  readonly #commitsPending: Counter;
  readonly #recordsUnreadable: Counter;

  /** Creates the instruments on `meter`. */
  constructor(meter: Meter) {
    this.#refreshes = meter.createCounter(M.refreshes, { description: 'Token refreshes that ended, by source and outcome', unit: '{refresh}' });
    this.#refreshDuration = meter.createHistogram(M.refreshDuration, {
      description: 'Duration of a token refresh, lock wait included',
      unit: 's',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS_S },
    });
    this.#lockWait = meter.createHistogram(M.lockWait, {
      description: 'Time a refresh waited for the refresh lock',
      unit: 's',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS_S },
    });
    this.#retries = meter.createCounter(M.lwaRetries, { description: 'LWA token requests that failed and were retried', unit: '{retry}' });
    this.#revocations = meter.createCounter(M.revocations, { description: 'Grants LWA refused (invalid_grant), marked revoked', unit: '{revocation}' });
    this.#lockUnavailable = meter.createCounter(M.lockUnavailable, {
      description: 'Refreshes that went ahead without the lock because its backend was down',
      unit: '{refresh}',
    });
    this.#recordsUnreadable = meter.createCounter(M.recordsUnreadable, {
      description: 'Stored records that did not open or parse (wrong encryption key, corruption)',
      unit: '{record}',
    });
    this.#commitsPending = meter.createCounter(M.commitsPending, {
      description: 'Writes of new tokens the store refused after LWA answered (held in memory, retried)',
      unit: '{write}',
    });
  }

  /** Records what one event says. */
  record(event: TokenEvent): void {
    switch (event.type) {
      case 'refreshed': {
        const attributes: Attributes = { [A.source]: event.source, [A.outcome]: 'success' };
        this.#refreshes.add(1, attributes);
        this.#refreshDuration.record(event.durationMs / 1000, attributes);
        break;
      }
      case 'refresh_failed': {
        const attributes: Attributes = { [A.outcome]: 'failure', [A.errorCode]: event.code, [A.background]: event.background };
        this.#refreshes.add(1, attributes);
        this.#refreshDuration.record(event.durationMs / 1000, { [A.outcome]: 'failure', [A.errorCode]: event.code });
        break;
      }
      case 'lock_waited':
        this.#lockWait.record(event.waitedMs / 1000);
        break;
      case 'retry':
        this.#retries.add(1, event.status === undefined ? { [A.errorType]: 'transport' } : { [A.httpStatus]: event.status });
        break;
      case 'revoked':
        this.#revocations.add(1, { [A.grantId]: event.grantId });
        break;
      case 'lock_unavailable':
        this.#lockUnavailable.add(1);
        break;
      case 'commit_pending':
        this.#commitsPending.add(1, { [A.errorCode]: event.code });
        break;
      case 'record_unreadable':
        this.#recordsUnreadable.add(1, { [A.errorCode]: event.code });
        break;
      default:
        break;
    }
  }
}
