import { defineConfig } from 'vitest/config';
import { DrillReporter } from './drills/drill-reporter.js';
export default defineConfig({
  test: {
    include: ['drills/**/*.drill.ts'],
    testTimeout: 60_000,
    hookTimeout: 30_000,
    fileParallelism: false,
    reporters: [new DrillReporter()],
  },
});
