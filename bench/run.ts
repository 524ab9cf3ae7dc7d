// `npm run bench`: builds, then runs every benchmark of bench/ in turn (or those named:
// `npm run bench -- registry crm`). Each writes its table to bench/results/<name>.md.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

const dir = import.meta.dirname;
const wanted = process.argv.slice(2);
const all = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && !['run.ts', 'lib.ts'].includes(f) && !f.includes('.lib.') && !f.endsWith('-server.ts'))
  .map((f) => f.replace(/\.ts$/, ''));
const chosen = wanted.length ? all.filter((n) => wanted.includes(n)) : all;
execFileSync(process.execPath, [path.join(dir, '..', 'scripts', 'build.mjs')], { stdio: 'inherit' });
let failed = 0;
for (const name of chosen) {
  console.log(`\n### bench ${name}`);
  try {
    execFileSync(process.execPath, ['--import', 'tsx', path.join(dir, `${name}.ts`)], { stdio: 'inherit' });
  } catch {
    failed++;
    console.error(`bench ${name} failed`);
  }
}
process.exit(failed ? 1 : 0);
