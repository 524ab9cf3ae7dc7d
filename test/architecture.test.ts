// The dependency rule of CONVENTIONS.md, enforced: platform/ imports no module; a module imports
// another module only through its index.ts, and only if its README lists it; views never import
// queries; no source reads ../shared at run time.
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(__dirname, '../src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|tsx)$/.test(f) ? [p] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1] ?? m[2]);
  return out.filter((s) => s.startsWith('.')).map((s) => path.resolve(path.dirname(file), s.replace(/\.js$/, '')));
}

const rel = (p: string) => path.relative(SRC, p);
const moduleOf = (p: string) => {
  const r = rel(p).split(path.sep);
  return r[0] === 'modules' && r.length > 2 ? r[1] : undefined;
};

describe('architecture', () => {
  const all = files(SRC).filter((f) => !/\.test\.tsx?$/.test(f));

  it('platform/ imports no module', () => {
    const bad = all
      .filter((f) => rel(f).startsWith('platform' + path.sep))
      .flatMap((f) => imports(f).filter((i) => rel(i).startsWith('modules' + path.sep)).map((i) => `${rel(f)} → ${rel(i)}`));
    expect(bad).toEqual([]);
  });

  it('platform/ reads its tables on its typed handle (PlatformDb), never through a cast', () => {
    const bad = all.filter((f) => rel(f).startsWith('platform' + path.sep) && /\bas Kysely</.test(readFileSync(f, 'utf8'))).map(rel);
    expect(bad).toEqual([]);
  });

  it('modules import each other only through index.ts, and only if their README lists it', () => {
    const bad: string[] = [];
    for (const f of all) {
      const own = moduleOf(f);
      if (!own) continue;
      const readmePath = path.join(SRC, 'modules', own, 'README.md');
      const readme = existsSync(readmePath) ? readFileSync(readmePath, 'utf8') : '';
      for (const i of imports(f)) {
        const other = moduleOf(i + '.ts');
        if (!other || other === own) continue;
        const r = rel(i).split(path.sep);
        if (r.length !== 3 || r[2] !== 'index') bad.push(`${rel(f)} → ${rel(i)} (not through index.ts)`);
        if (!new RegExp(`\\b${other}\\b`).test(readme.split(/^#+ .*import/im)[1] ?? readme)) bad.push(`${rel(f)} → ${other} (not listed in ${own}/README.md)`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('has no import cycle between modules', () => {
    const edges = new Map<string, Set<string>>();
    for (const f of all) {
      const own = moduleOf(f);
      if (!own) continue;
      for (const i of imports(f)) {
        const other = moduleOf(i + '.ts');
        if (other && other !== own) (edges.get(own) ?? edges.set(own, new Set()).get(own)!).add(other);
      }
    }
    const cycle = (start: string, node: string, seen: Set<string>): boolean =>
      [...(edges.get(node) ?? [])].some((n) => n === start || (!seen.has(n) && (seen.add(n), cycle(start, n, seen))));
    expect([...edges.keys()].filter((m) => cycle(m, m, new Set()))).toEqual([]);
  });

  it('services and queries never import HTTP or views; views never import queries', () => {
    const bad: string[] = [];
    for (const f of all) {
      const name = path.basename(f);
      const text = readFileSync(f, 'utf8');
      if (/\.(service|queries)\.ts$/.test(name) && /from ['"]fastify['"]/.test(text)) bad.push(`${rel(f)} imports fastify`);
      if (/\.(service|queries)\.ts$/.test(name) && imports(f).some((i) => i.includes(`${path.sep}views${path.sep}`))) bad.push(`${rel(f)} imports a view`);
      if (rel(f).includes(`${path.sep}views${path.sep}`) && imports(f).some((i) => /\.queries$/.test(i))) bad.push(`${rel(f)} imports queries`);
    }
    expect(bad).toEqual([]);
  });

  // The module shape of docs/MODULES.md: routes are rows of `<module>.routes.ts` answered by named
  // handlers; route files read and write only through the module's queries and services; the
  // module works on its typed handle (no cast to its tables, no AnyDb; CallerDb only in index.ts).
  // Modules written before the shape are listed here until converted. The list only shrinks: a
  // listed module that already follows the shape fails the test, so it leaves the list.
  const NOT_YET_IN_SHAPE: string[] = [];
  const modules = readdirSync(path.join(SRC, 'modules')).filter((m) => statSync(path.join(SRC, 'modules', m)).isDirectory());
  const shapeBreaks = (mod: string): string[] => {
    const out: string[] = [];
    for (const f of all.filter((x) => moduleOf(x) === mod)) {
      const name = path.basename(f);
      const text = readFileSync(f, 'utf8');
      if (/\.web\.tsx$|\.api\.ts$/.test(name)) {
        for (const m of text.matchAll(/\.(selectFrom|insertInto|updateTable|deleteFrom)\(|\bsql`/g)) out.push(`${rel(f)}: ${m[0]} (a route file reads and writes through the module's queries and services)`);
        if (/\b(app|api|fastify)\.(get|post|put|patch|delete|route)\(/.test(text)) out.push(`${rel(f)} registers routes itself (list them in ${mod}.routes.ts)`);
      }
      if (text.includes('as unknown as')) out.push(`${rel(f)}: "as unknown as"`);
      if (/\bas Kysely</.test(text)) out.push(`${rel(f)}: "as Kysely<" (take the module's handle, ModuleDb<…>)`);
      if (/\bAnyDb\b/.test(text)) out.push(`${rel(f)}: AnyDb (take the module's handle; index.ts exports take CallerDb)`);
      if (/\bCallerDb\b/.test(text) && name !== 'index.ts') out.push(`${rel(f)}: CallerDb outside index.ts`);
    }
    return out;
  };

  it('modules follow the module shape: route tables, no tables read in routes, typed handles', () => {
    expect(modules.filter((m) => !NOT_YET_IN_SHAPE.includes(m)).flatMap(shapeBreaks)).toEqual([]);
  });

  it('a module that follows the shape is no longer on the not-yet list', () => {
    expect(NOT_YET_IN_SHAPE.filter((m) => modules.includes(m) && shapeBreaks(m).length === 0)).toEqual([]);
  });

  it('never reads ../shared at run time', () => {
    expect(all.filter((f) => /\.\.\/shared|\/work\/shared/.test(readFileSync(f, 'utf8'))).map(rel)).toEqual([]);
  });
});
