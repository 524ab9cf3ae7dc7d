// The build: TypeScript to dist/, then the data files that live beside the code (reference
// data, samples) copied to the same place in dist/, since the compiler copies only code.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function build() {
  execFileSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });
  const copy = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) copy(p);
      else if (!/\.(ts|tsx|md)$/.test(e.name)) {
        const target = path.join(root, 'dist', path.relative(path.join(root, 'src'), p));
        mkdirSync(path.dirname(target), { recursive: true });
        copyFileSync(p, target);
      }
    }
  };
  copy(path.join(root, 'src'));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) build();
