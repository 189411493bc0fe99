import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';
import { preset } from '../../tools/tsup.preset.js';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

export default defineConfig({
  ...preset,
  entry: { index: 'src/index.ts', cli: 'src/cli.ts' },
  dts: { entry: { index: 'src/index.ts' } },
  define: { __ADS_TOKEN_CLI_VERSION__: JSON.stringify(version) },
});
