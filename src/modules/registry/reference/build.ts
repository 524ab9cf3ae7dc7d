// Builds communes.json (committed) from @etalab/decoupage-administratif (codes, names, postal
// codes) and the IGN centroid CSV of the shared geographic data (communes-centroides.csv).
// Run once by a developer, giving the CSV's path:
//   npx tsx src/modules/registry/reference/build.ts <path>/communes-centroides.csv
// The application reads only the generated file, never the shared data folder.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const centroidFile = process.argv[2];
if (!centroidFile) throw new Error('usage: build.ts <communes-centroides.csv>');

const centroids = new Map<string, [number, number]>();
for (const line of readFileSync(centroidFile, 'utf8').split('\n').slice(1)) {
  const [code, , lon, lat] = line.split(',');
  if (code && lat) centroids.set(code, [Number(lat), Number(lon)]);
}
type C = { code: string; nom: string; type: string; departement: string; codesPostaux?: string[]; commune?: string };
const communes = require('@etalab/decoupage-administratif/data/communes.json') as C[];
const out: [string, string, string, string[], number | null, number | null][] = [];
for (const c of communes) {
  if (c.type !== 'commune-actuelle' && c.type !== 'arrondissement-municipal') continue;
  // Lyon/Paris/Marseille arrondissements have no 2018 centroid of their own: use the city's.
  const xy = centroids.get(c.code) ?? (c.commune ? centroids.get(c.commune) : undefined);
  out.push([c.code, c.nom, c.departement, c.codesPostaux ?? [], xy ? xy[0] : null, xy ? xy[1] : null]);
}
writeFileSync(path.join(here, 'communes.json'), JSON.stringify(out));
console.log(`${out.length} communes, ${out.filter((c) => c[4] !== null).length} with a centroid`);
