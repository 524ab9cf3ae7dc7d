#!/usr/bin/env node
// `npx consulaire …`: runs the built command line (dist/), building it first when missing.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entry = path.join(root, 'dist', 'main.js');
if (!existsSync(entry)) {
  const { build } = await import(pathToFileURL(path.join(root, 'scripts', 'build.mjs')).href);
  build();
}
process.env.CONSULAIRE_CLI = '1';
await import(pathToFileURL(entry).href);
