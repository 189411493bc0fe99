#!/usr/bin/env node
import { processIo } from './cli-io.js';
import { runCli } from './run-cli.js';

const interrupt = new AbortController();
process.once('SIGINT', () => interrupt.abort(new DOMException('Interrupted', 'AbortError')));
process.once('SIGTERM', () => interrupt.abort(new DOMException('Terminated', 'AbortError')));

void runCli(process.argv.slice(2), processIo(interrupt.signal)).then((code) => {
  process.exitCode = code;
});
