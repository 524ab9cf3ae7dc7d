// The build: TypeScript to dist/, then the data files that live beside the code (reference
// data, samples) copied to the same place in dist/, since the compiler copies only code.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
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
  precompress();
}

/**
 * Static assets compressed once here rather than per request: dist/public/<file>.br and .gz
 * beside nothing else (the originals stay in public/, read by src/platform/http/assets.ts).
 */
export function precompress() {
  const out = path.join(root, 'dist', 'public');
  const files = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(css|js|svg|json|map)$/.test(e.name)) files.push([p, path.relative(path.join(root, 'public'), p)]);
    }
  };
  walk(path.join(root, 'public'));
  files.push([createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js'), 'htmx.min.js']);
  for (const [source, rel] of files) {
    const raw = readFileSync(source);
    const target = path.join(out, rel);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(`${target}.br`, brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
    writeFileSync(`${target}.gz`, gzipSync(raw, { level: 9 }));
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) build();
