import { defineConfig } from 'tsup';

/** One runnable file per example: `node dist/01-first-authentication.js`. */
export default defineConfig({
  entry: ['src/0*.ts'],
  format: ['esm'],
  dts: false,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  splitting: false,
  removeNodeProtocol: false,
});
