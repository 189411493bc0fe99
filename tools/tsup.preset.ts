import type { Options } from 'tsup';

/** The one build preset every package spreads: ESM + CJS + .d.ts from src/index.ts. */
export const preset: Options = {
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  splitting: false,
  treeshake: true,
  removeNodeProtocol: false,
};
