#!/usr/bin/env node
// Packaging check for the package in the current directory: the registry metadata every package
// carries, publint --strict, attw --pack, and the minified + gzipped size of the ESM entry.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit' });

const missing = ['repository.directory', 'homepage', 'bugs.url'].filter((path) => path.split('.').reduce((v, k) => v?.[k], pkg) === undefined);
if (missing.length > 0) {
  console.error(`${pkg.name}: package.json lacks ${missing.join(', ')}`);
  process.exit(1);
}

run('publint', ['--strict']);
run('attw', ['--pack', '.', '--format', 'table-flipped']);

const external = [
  ...Object.keys(pkg.dependencies ?? {}),
  ...Object.keys(pkg.peerDependencies ?? {}),
];
const result = await build({
  entryPoints: [pkg.exports['.'].import.default],
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'neutral',
  external: [...external, 'node:*'],
  write: false,
  logLevel: 'silent',
});
const code = result.outputFiles[0].contents;
const gz = gzipSync(code, { level: 9 }).length;
console.log(`size ${pkg.name}: ${(code.length / 1024).toFixed(1)} kB minified, ${(gz / 1024).toFixed(1)} kB min+gzip (ESM entry)`);
