import type { Reporter, SerializedError, TestCase, TestModule } from 'vitest/node';
import type { DrillReport } from './support/harness.js';

function isDrillReport(value: unknown): value is DrillReport {
  return typeof value === 'object' && value !== null && Array.isArray((value as DrillReport).story) && Array.isArray((value as DrillReport).figures);
}

function errorLines(error: { message?: string; stack?: string; diff?: string }): string[] {
  const lines = [`    ${error.message ?? 'error'}`];
  if (error.diff !== undefined) lines.push(...error.diff.split('\n').map((l) => `      ${l}`));
  if (error.stack !== undefined) lines.push(...error.stack.split('\n').filter((l) => l.trim().startsWith('at ')).slice(0, 6).map((l) => `      ${l.trim()}`));
  return lines;
}

/** Prints each drill as a block: its outcome, what happened, and its figures. */
export class DrillReporter implements Reporter {
  #passed = 0;
  #failed = 0;
  #started = Date.now();

  #print(lines: string[]): void {
    process.stdout.write(lines.join('\n') + '\n');
  }

  onTestRunStart(): void {
    this.#started = Date.now();
    this.#print(['', 'Failure drills (real processes, real loopback servers)', '']);
  }

  onUserConsoleLog(log: { type: 'stdout' | 'stderr'; content: string }): void {
    (log.type === 'stderr' ? process.stderr : process.stdout).write(log.content);
  }

  onTestCaseResult(testCase: TestCase): void {
    const result = testCase.result();
    const duration = testCase.diagnostic()?.duration ?? 0;
    const ok = result.state === 'passed';
    if (result.state === 'skipped' || result.state === 'pending') return;
    if (ok) this.#passed += 1;
    else this.#failed += 1;
    const lines = [`${ok ? 'PASS' : 'FAIL'}  ${testCase.fullName}  (${(duration / 1000).toFixed(1)} s)`];
    const meta: unknown = (testCase.meta() as { drill?: unknown }).drill;
    if (isDrillReport(meta)) {
      for (const line of meta.story) lines.push(`  ${line}`);
      const width = Math.max(...meta.figures.map(([label]) => label.length));
      for (const [label, value] of meta.figures) lines.push(`    ${label.padEnd(width)}  ${value}`);
    }
    if (!ok) for (const error of result.errors ?? []) lines.push(...errorLines(error));
    lines.push('');
    this.#print(lines);
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>): void {
    const lines: string[] = [];
    for (const module of testModules) {
      for (const error of module.errors()) lines.push(`FAIL  ${module.moduleId}`, ...errorLines(error));
    }
    for (const error of unhandledErrors) lines.push('Unhandled error', ...errorLines(error));
    const total = `${this.#passed} drills passed, ${this.#failed} failed, ${lines.length > 0 ? 'errors outside drills (see above)' : 'no errors outside drills'}`;
    this.#print([...lines, `${total} in ${((Date.now() - this.#started) / 1000).toFixed(1)} s`, '']);
  }
}
