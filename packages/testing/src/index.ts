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
