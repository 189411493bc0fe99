#!/usr/bin/env node
import { processIo } from './cli-io.js';
import { runCli } from './run-cli.js';

const interrupt = new AbortController();
process.once('SIGINT', () => interrupt.abort(new DOMException('Interrupted', 'AbortError')));
process.once('SIGTERM', () => interrupt.abort(new DOMException('Terminated', 'AbortError')));

let stdinUsed = false;
const io = processIo(interrupt.signal);
Object.defineProperty(io, 'stdin', {
  get() {
    stdinUsed = true;
    return process.stdin;
  },
});

void runCli(process.argv.slice(2), io).then((code) => {
  process.exitCode = code;
  // A paused stdin pipe still holds the event loop until the other end closes it.
  if (stdinUsed) process.stdin.destroy();
});
