// Runs the smoke test under Node, Deno or Bun: the config is the JSON in the first argument; one
// JSON line goes to stdout.
import { describeError, runSmoke } from './smoke.mjs';

const g = globalThis;
const args = g.Deno ? g.Deno.args : g.process.argv.slice(2);

function fail() {
  if (g.Deno) g.Deno.exitCode = 1;
  else g.process.exitCode = 1;
}

try {
  const result = await runSmoke(JSON.parse(args[0] ?? '{}'));
  console.log(JSON.stringify({ ok: true, result }));
} catch (error) {
  console.log(JSON.stringify({ ok: false, error: describeError(error) }));
  fail();
}
