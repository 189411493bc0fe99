// Names each entry point's module after its package ("@ads-token/core", not "core/src")
// and uses the package description as the module summary.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Comment, Converter, ReflectionKind } from 'typedoc';

const packagesDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'packages');

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const module of context.project.getReflectionsByKind(ReflectionKind.Module)) {
      const match = /^([\w-]+)\/src$/.exec(module.name);
      if (!match) continue;
      const manifest = JSON.parse(readFileSync(join(packagesDir, match[1], 'package.json'), 'utf8'));
      module.name = manifest.name;
      if (!module.comment && manifest.description) {
        module.comment = new Comment([{ kind: 'text', text: manifest.description }]);
      }
    }
  });
}
