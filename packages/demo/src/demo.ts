import { fileURLToPath } from 'node:url';
import { runDemo, settingsFromEnv } from './run-demo.js';

/** Entry of `pnpm demo`. */
const workerPath = fileURLToPath(new URL('./worker.js', import.meta.url));
Promise.resolve().then(() => runDemo(settingsFromEnv(process.env, workerPath, process.stdout, process.argv.slice(2)))).then(
  (result) => { process.exitCode = result.ok ? 0 : 1; },
  (error: unknown) => {
    process.stderr.write(`demo failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
    process.exitCode = 1;
  },
);
