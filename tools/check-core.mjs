#!/usr/bin/env node
// Fails when @ads-token/core imports a node: module (or any bare package) or gains a run-time dependency.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../packages/core/', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const problems = [];
for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
  const deps = Object.keys(pkg[field] ?? {});
  if (deps.length > 0) problems.push(`package.json ${field} must be empty, has: ${deps.join(', ')}`);
}
const importRe = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"]([^'"]+)['"]/g;
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (/\.[cm]?ts$/.test(name)) {
      const text = readFileSync(path, 'utf8');
      for (const m of text.matchAll(importRe)) {
        const spec = m[1];
        if (!spec.startsWith('.')) problems.push(`${path.slice(root.length)} imports '${spec}'`);
      }
    }
  }
}
walk(join(root, 'src'));
if (problems.length > 0) {
  console.error('core must stay free of node: modules and run-time dependencies:\n  ' + problems.join('\n  '));
  process.exit(1);
}
console.log('core: no node: imports, no run-time dependencies');
