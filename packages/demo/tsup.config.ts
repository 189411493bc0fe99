import { defineConfig } from 'tsup';
import { preset } from '../../tools/tsup.preset.js';
export default defineConfig({ ...preset, entry: ['src/demo.ts', 'src/worker.ts'], format: ['esm'], dts: false });
