// `npm start`: build when the sources are newer than dist/, then serve with the demo seed.
// The server is a child process: SIGINT/SIGTERM are passed on to it and this process exits with
// its exit code once it has stopped gracefully. `npm start` itself runs this through `sh -c`,
// which does not pass signals on: when its parent goes away (npm killed), this process stops
// the server as if it had received SIGTERM. The server watches this process the same way, so a
// `kill -9` here does not leave it serving alone.
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

// CONSULAIRE_FROM_SOURCE=1 runs src/main.ts through tsx without building (tests, development).
const fromSource = process.env.CONSULAIRE_FROM_SOURCE === '1';
if (!fromSource && (!existsSync(entry) || newest(path.join(root, 'src')) > statSync(entry).mtimeMs)) {
  console.log('Building Consulaire…');
  build();
}
const main = fromSource ? ['--import', 'tsx', path.join(root, 'src', 'main.ts')] : [entry];
const args = [...serverNodeFlags(), ...main, 'serve', ...(process.env.NODE_ENV === 'production' ? [] : ['--demo']), ...process.argv.slice(2)];
const child = spawn(process.execPath, args, { stdio: 'inherit', cwd: root, env: { ...process.env, CONSULAIRE_SUPERVISED: '1' } });

let forwarded = false;
function forward(signal) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  if (forwarded && signal !== 'SIGKILL') {
    // A second Ctrl-C: the operator does not want to wait for the graceful stop.
    child.kill('SIGKILL');
    return;
  }
  forwarded = true;
  child.kill(signal);
}
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, () => forward(s === 'SIGHUP' ? 'SIGTERM' : s));

const parent = process.ppid;
const watch = setInterval(() => {
  if (process.ppid !== parent) forward('SIGTERM');
}, 500);

const SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
child.on('exit', (code, signal) => {
  clearInterval(watch);
  process.exit(code ?? 128 + (SIGNALS[signal] ?? 1));
});
