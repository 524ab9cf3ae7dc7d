// `npm start`: build when the sources are newer than dist/, then serve with the demo seed.
import { spawn } from 'node:child_process';
import { build } from './build.mjs';
import { serverNodeFlags } from './node-flags.mjs';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entry = path.join(root, 'dist', 'main.js');

function newest(dir) {
  let max = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    max = Math.max(max, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return max;
}

if (!existsSync(entry) || newest(path.join(root, 'src')) > statSync(entry).mtimeMs) {
  console.log('Building Consulaire…');
  build();
}
const args = [...serverNodeFlags(), entry, 'serve', ...(process.env.NODE_ENV === 'production' ? [] : ['--demo']), ...process.argv.slice(2)];
const child = spawn(process.execPath, args, { stdio: 'inherit', cwd: root });
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => child.kill(s));
child.on('exit', (code) => process.exit(code ?? 0));
