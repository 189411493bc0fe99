export { instrument } from './instrument.js';
export type { GrantInfo, InstrumentOptions, InstrumentTarget, Instrumentation } from './instrument-options.js';
export { ATTRIBUTE_NAMES, METRIC_NAMES, REFRESH_SPAN_NAME, SCOPE_NAME } from './names.js';
