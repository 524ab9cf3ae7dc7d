// Content workflow (M8): who may do each transition, per-section rights, the live copy that stays
// online while a new version is reviewed, scheduled publishing (once, at the right time, across
// a restart), revisions and restore, uploads checked by their bytes.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { JobRunner } from '../src/platform/jobs/index.js';
import { contentModule } from '../src/modules/content/index.js';
import { findLive } from '../src/modules/content/content.queries.js';
import type { ContentTables } from '../src/modules/content/content.table.js';
import { utcToParis } from '../src/modules/content/content.dates.js';
import { agent, count, createTestApp, makeUser, type Agent, type TestApp } from './helpers.js';
import { multipart, PDF } from './content-helpers.js';

let t: TestApp;
const db = () => t.db as Kysely<ContentTables>;
let editor: Agent, webmaster: Agent, staff: Agent, editor2: Agent;
let editorId: number, editor2Id: number;

beforeAll(async () => {
  t = await createTestApp();
  const [e, w, s, e2] = await Promise.all([makeUser(t.db, ['editor']), makeUser(t.db, ['webmaster']), makeUser(t.db, ['staff']), makeUser(t.db, ['editor'])]);
  editorId = e.id;
  editor2Id = e2.id;
  editor = agent(t);
  webmaster = agent(t);
  staff = agent(t);
  editor2 = agent(t);
  await editor.signIn(e.email);
  await webmaster.signIn(w.email);
  await staff.signIn(s.email);
  await editor2.signIn(e2.email);
});
afterAll(async () => t?.close());

const item = (id: number) => db().selectFrom('content_items').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const idFrom = (location: unknown) => Number(String(location).match(/\/contenus\/(\d+)/)![1]);

async function create(a: Agent, title: string, extra: Record<string, string | string[]> = {}, kind = 'news'): Promise<number> {
  const res = await a.post(`/contenus?type=${kind}`, { title, summary: 'Résumé', body: '<p>Texte</p>', audiences: ['public'], ...extra });
  expect(res.status, res.body.slice(0, 500)).toBe(302);
  return idFrom(res.headers.location);
}
const act = async (a: Agent, id: number, path: string, form: Record<string, string> = {}) => a.post(`/contenus/${id}/${path}`, { version: String((await item(id)).version), ...form });

describe('workflow state machine', () => {
  it('editor drafts and submits, only a publisher publishes; staff without rights is refused everywhere', async () => {
    // Someone without content rights cannot even open the editor or create.
    expect((await staff.get('/contenus')).status).toBe(403);
    const before = await count(t.db, 'content_items');
    expect((await staff.post('/contenus?type=news', { title: 'x', audiences: ['public'] })).status).toBe(403);
    expect(await count(t.db, 'content_items')).toBe(before);

    const id = await create(editor, 'Première actualité');
    expect((await item(id)).status).toBe('draft');
    // Publishing a draft is not a transition (even for the webmaster): review is the backbone.
    expect((await act(webmaster, id, 'publier')).status).toBe(409);
    expect((await act(editor, id, 'soumettre')).status).toBe(302);
    expect((await item(id)).status).toBe('submitted');
    // The editor may neither publish nor send back.
    expect((await act(editor, id, 'publier')).status).toBe(403);
    expect((await act(editor, id, 'renvoyer', { comment: 'non' })).status).toBe(403);
    expect((await item(id)).status).toBe('submitted');
    // The review queue shows it to the webmaster, not to the editor.
    expect((await webmaster.get('/contenus/relecture')).body).toContain('Première actualité');
    expect((await editor.get('/contenus/relecture')).body).not.toContain('Première actualité');
    expect((await act(webmaster, id, 'publier')).status).toBe(302);
    expect((await item(id)).status).toBe('published');
    const page = await agent(t).get(`/actualites/${id}-premiere-actualite`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Première actualité');
    // Every write left an audit row.
    expect(await count(t.db, 'audit_log', ['entity_id', String(id)])).toBeGreaterThanOrEqual(3);
  });

  it('sending back needs a comment, which the editor then sees', async () => {
    const id = await create(editor, 'À reprendre');
    await act(editor, id, 'soumettre');
    const empty = await act(webmaster, id, 'renvoyer', { comment: '  ' });
    expect(empty.status).toBe(422);
    expect((await item(id)).status).toBe('submitted');
    expect((await act(webmaster, id, 'renvoyer', { comment: 'Ajoutez la date du salon.' })).status).toBe(302);
    const row = await item(id);
    expect(row.status).toBe('draft');
    expect(row.review_comment).toBe('Ajoutez la date du salon.');
    expect((await editor.get(`/contenus/${id}`)).body).toContain('Ajoutez la date du salon.');
    expect((await editor.get('/portail')).body).toContain('Renvoyé en rédaction : À reprendre');
  });

  it('an edit of published content goes back to review while the live version stays online', async () => {
    const id = await create(editor, 'Version en ligne');
    await act(editor, id, 'soumettre');
    await act(webmaster, id, 'publier');
    const edit = await editor.post(`/contenus/${id}/modifier`, { version: String((await item(id)).version), title: 'Version corrigée', summary: 'S', body: '<p>Nouveau</p>', audiences: ['public'] });
    expect(edit.status).toBe(302);
    expect((await item(id)).status).toBe('draft');
    const live = await agent(t).get(`/actualites/${id}`);
    expect(live.status).toBe(301);
    const page = await agent(t).get(String(live.headers.location));
    expect(page.body).toContain('Version en ligne');
    expect(page.body).not.toContain('Version corrigée');
    // Preview shows the working copy to the webmaster, not to a plain staff member.
    expect((await webmaster.get(`/contenus/${id}/apercu?audience=public`)).body).toContain('Version corrigée');
    expect((await staff.get(`/contenus/${id}/apercu?audience=public`)).status).toBe(403);
    await act(editor, id, 'soumettre');
    await act(webmaster, id, 'publier');
    const after = await agent(t).get(`/actualites/${id}-version-corrigee`);
    expect(after.body).toContain('Version corrigée');
  });

  it('refuses a save made on a stale version (optimistic locking), changing nothing', async () => {
    const id = await create(editor, 'Verrou');
    const v = String((await item(id)).version);
    expect((await editor.post(`/contenus/${id}/modifier`, { version: v, title: 'Un', audiences: ['public'] })).status).toBe(302);
    const stale = await editor.post(`/contenus/${id}/modifier`, { version: v, title: 'Deux', audiences: ['public'] });
    expect(stale.status).toBe(409);
    expect((await item(id)).title).toBe('Un');
  });

  it('per-section rights: named editors only, and a section publisher publishes only there', async () => {
    const w = webmaster;
    expect((await w.post('/contenus/rubriques', { name: 'Formation', description: '' })).status).toBe(302);
    expect((await w.post('/contenus/rubriques', { name: 'Export', description: '' })).status).toBe(302);
    const sections = await db().selectFrom('content_sections').selectAll().execute();
    const formation = sections.find((s) => s.name === 'Formation')!;
    const exportS = sections.find((s) => s.name === 'Export')!;
    // editor2 is the publisher of "Formation"; editor is not listed there.
    expect((await w.post(`/contenus/rubriques/${formation.id}/droits`, { user_id: String(editor2Id), right: 'publish' })).status).toBe(302);
    expect((await editor.get('/contenus/reglages')).status).toBe(403);
    const refused = await editor.post('/contenus?type=page', { title: 'Catalogue', audiences: ['public'], section_id: String(formation.id) });
    expect(refused.status).toBe(403);
    const id = await create(editor2, 'Catalogue formation', { section_id: String(formation.id) }, 'page');
    await act(editor2, id, 'soumettre');
    expect((await act(editor2, id, 'publier')).status).toBe(302);
    expect((await item(id)).status).toBe('published');
    // …but not in another section, where the roles apply (editor2 is only an editor).
    const other = await create(editor2, 'Export news', { section_id: String(exportS.id) });
    await act(editor2, other, 'soumettre');
    expect((await act(editor2, other, 'publier')).status).toBe(403);
    // The editor, not named in "Formation", cannot edit its page.
    expect((await editor.get(`/contenus/${id}/modifier`)).status).toBe(403);
    void editorId;
  });

  it('the home page (cached 5 s for every visitor) shows a publication at once on this instance', async () => {
    expect((await agent(t).get('/')).body).not.toContain('Nouvelle de la page d’accueil');
    const id = await create(editor, 'Nouvelle de la page d’accueil');
    await act(editor, id, 'soumettre');
    await act(webmaster, id, 'publier');
    expect((await agent(t).get('/')).body).toContain('Nouvelle de la page d’accueil');
    await act(webmaster, id, 'depublier');
    expect((await agent(t).get('/')).body).not.toContain('Nouvelle de la page d’accueil');
  });

  it('unpublishing takes the item offline on every channel', async () => {
    const id = await create(editor, 'Retirée bientôt');
    await act(editor, id, 'soumettre');
    await act(webmaster, id, 'publier');
    expect((await agent(t).get(`/actualites/${id}-retiree-bientot`)).status).toBe(200);
    expect((await act(editor, id, 'depublier')).status).toBe(403);
    expect((await act(webmaster, id, 'depublier')).status).toBe(302);
    expect((await agent(t).get(`/actualites/${id}-retiree-bientot`)).status).toBe(404);
    expect(await count(t.db, 'content_live', ['item_id', id])).toBe(0);
  });
});

describe('scheduled publishing', () => {
  it('fires once, at the right time, and catches up after a restart', async () => {
    const now = Date.now();
    const at = new Date(Math.ceil(now / 60000) * 60000 + 10 * 60000); // a whole minute, 10+ min ahead
    const until = new Date(at.getTime() + 60 * 60000);
    const id = await create(editor, 'Programmée');
    await act(editor, id, 'soumettre');
    const res = await act(webmaster, id, 'publier', { at: utcToParis(at.toISOString()), until: utcToParis(until.toISOString()) });
    expect(res.status).toBe(302);
    expect((await item(id)).status).toBe('scheduled');
    expect((await item(id)).scheduled_at).toBe(at.toISOString());

    await t.app.jobs.tick(new Date(at.getTime() - 30_000));
    expect((await item(id)).status).toBe('scheduled');
    expect(await count(t.db, 'content_live', ['item_id', id])).toBe(0);

    await t.app.jobs.tick(new Date(at.getTime() + 1_000));
    expect((await item(id)).status).toBe('published');
    const live = await db().selectFrom('content_live').selectAll().where('item_id', '=', id).executeTakeFirstOrThrow();
    expect(live.published_at).toBe(at.toISOString());
    expect(await findLive(t.db, 'public', id, new Date(at.getTime() - 1000).toISOString())).toBeUndefined();
    expect(await findLive(t.db, 'public', id, new Date(at.getTime() + 1000).toISOString())).toBeDefined();

    // Later runs (and other instances) do not publish it again.
    await t.app.jobs.tick(new Date(at.getTime() + 61_000));
    await t.app.jobs.tick(new Date(at.getTime() + 121_000));
    const publishes = await db().selectFrom('content_log').select('id').where('item_id', '=', id).where('action', '=', 'publish').execute();
    expect(publishes).toHaveLength(1);

    // The end date takes it offline at that moment.
    expect(await findLive(t.db, 'public', id, new Date(until.getTime() + 1000).toISOString())).toBeUndefined();
    await t.app.jobs.tick(new Date(until.getTime() + 2_000));
    expect(await count(t.db, 'content_live', ['item_id', id])).toBe(0);
    expect((await item(id)).status).toBe('draft');

    // Restart: a schedule set before the "crash" fires on the new process's first run.
    const id2 = await create(editor, 'Après redémarrage');
    await act(editor, id2, 'soumettre');
    const at2 = new Date(at.getTime() + 5 * 60000);
    await act(webmaster, id2, 'publier', { at: utcToParis(at2.toISOString()) });
    await t.app.jobs.stop();
    const restarted = new JobRunner(t.db, contentModule.jobs!, contentModule.schedules!, { error() {}, info() {} });
    await restarted.tick(new Date(at2.getTime() + 30 * 60000));
    expect((await item(id2)).status).toBe('published');
    await restarted.tick(new Date(at2.getTime() + 31 * 60000));
    expect(await db().selectFrom('content_log').select('id').where('item_id', '=', id2).where('action', '=', 'publish').execute()).toHaveLength(1);
  });

  it('two instances running the schedule at the same moment publish once', async () => {
    const id = await create(editor, 'Deux instances');
    await act(editor, id, 'soumettre');
    const at = new Date(Math.ceil(Date.now() / 60000) * 60000 + 20 * 60000);
    await act(webmaster, id, 'publier', { at: utcToParis(at.toISOString()) });
    const quiet = { error() {}, info() {} };
    const a = new JobRunner(t.db, contentModule.jobs!, contentModule.schedules!, quiet);
    const b = new JobRunner(t.db, contentModule.jobs!, contentModule.schedules!, quiet);
    // Different slots, so both runners really run the publishing job concurrently.
    await Promise.all([a.tick(new Date(at.getTime() + 60_000)), b.tick(new Date(at.getTime() + 120_000))]);
    expect((await item(id)).status).toBe('published');
    expect(await db().selectFrom('content_log').select('id').where('item_id', '=', id).where('action', '=', 'publish').execute()).toHaveLength(1);
    expect(await count(t.db, 'content_live', ['item_id', id])).toBe(1);
  });

  it('cancelling a schedule returns the item to review', async () => {
    const id = await create(editor, 'Annulée');
    await act(editor, id, 'soumettre');
    await act(webmaster, id, 'publier', { at: '2099-01-01T10:00' });
    expect((await act(editor, id, 'annuler-programmation')).status).toBe(403);
    expect((await act(webmaster, id, 'annuler-programmation')).status).toBe(302);
    expect((await item(id)).status).toBe('submitted');
    expect((await item(id)).scheduled_at).toBeNull();
    const bad = await act(webmaster, id, 'publier', { at: 'demain' });
    expect(bad.status).toBe(422);
    expect((await item(id)).status).toBe('submitted');
  });
});

describe('page tree', () => {
  it('pages nest under their parent; a page cannot move under its own child', async () => {
    const parent = await create(editor, 'Services aux entreprises', { slug: 'services' }, 'page');
    const child = await create(editor, 'Export', { slug: 'export', parent_id: String(parent) }, 'page');
    const tree = await editor.get('/contenus/arborescence');
    expect(tree.status).toBe(200);
    expect(tree.body).toMatch(/Services aux entreprises[\s\S]*<ul>[\s\S]*Export/);
    const cycle = await editor.post(`/contenus/${parent}/modifier`, { version: String((await item(parent)).version), title: 'Services aux entreprises', slug: 'services', audiences: ['public'], parent_id: String(child) });
    expect(cycle.status).toBe(422);
    expect((await item(parent)).parent_id).toBeNull();
    const taken = await editor.post('/contenus?type=page', { title: 'Autre', slug: 'export', audiences: ['public'] });
    expect(taken.status).toBe(422);
  });
});

describe('revisions', () => {
  it('every save is a revision; two revisions compare; an old one is restored as a new draft', async () => {
    const id = await create(editor, 'Titre A', { body: '<p>Premier texte</p>' });
    await editor.post(`/contenus/${id}/modifier`, { version: String((await item(id)).version), title: 'Titre B', body: '<p>Second texte</p>', audiences: ['public'] });
    expect(await count(t.db, 'content_revisions', ['item_id', id])).toBe(2);
    const diff = await editor.get(`/contenus/${id}/revisions?a=1&b=2`);
    expect(diff.status).toBe(200);
    expect(diff.body).toMatch(/<del class="diff-before">[^<]*A<\/del>/);
    expect(diff.body).toMatch(/<ins class="diff-after">[^<]*B<\/ins>/);
    expect((await staff.post(`/contenus/${id}/revisions/1/restaurer`, { version: String((await item(id)).version) })).status).toBe(403);
    expect((await editor.post(`/contenus/${id}/revisions/1/restaurer`, { version: String((await item(id)).version) })).status).toBe(302);
    const row = await item(id);
    expect(row.title).toBe('Titre A');
    expect(row.body).toBe('<p>Premier texte</p>');
    expect(row.revision).toBe(3);
    expect(await count(t.db, 'content_revisions', ['item_id', id])).toBe(3);
    expect((await editor.post(`/contenus/${id}/revisions/99/restaurer`, { version: String(row.version) })).status).toBe(404);
  });
});

describe('uploads', () => {
  const inject = async (a: Agent, url: string, body: ReturnType<typeof multipart>) =>
    t.app.fastify.inject({ method: 'POST', url: `${url}?_csrf=${encodeURIComponent(a.csrf)}`, headers: { ...body.headers, cookie: [...a.cookies].map(([k, v]) => `${k}=${v}`).join('; ') }, payload: body.payload });

  it('resizes an image, strips it to WebP, requires its alt text, and judges the type by the bytes', async () => {
    const id = await create(editor, 'Avec image');
    const big = await sharp({ create: { width: 2400, height: 1200, channels: 3, background: '#1d4f91' } }).png().toBuffer();
    const before = await count(t.db, 'content_files');
    const noAlt = await inject(editor, `/contenus/${id}/images`, multipart({ alt: '' }, { name: 'file', filename: 'photo.png', bytes: big }));
    expect(noAlt.statusCode).toBe(422);
    const fake = await inject(editor, `/contenus/${id}/images`, multipart({ alt: 'Faux' }, { name: 'file', filename: 'photo.png', bytes: Buffer.from('<script>alert(1)</script>'), type: 'image/png' }));
    expect(fake.statusCode).toBe(422);
    const svg = await inject(editor, `/contenus/${id}/images`, multipart({ alt: 'SVG' }, { name: 'file', filename: 'x.png', bytes: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'), type: 'image/png' }));
    expect(svg.statusCode).toBe(422);
    expect(await count(t.db, 'content_files')).toBe(before);
    const ok = await inject(editor, `/contenus/${id}/images`, multipart({ alt: 'Le logo bleu' }, { name: 'file', filename: 'logo.png', bytes: big }));
    expect(ok.statusCode).toBe(302);
    const f = await db().selectFrom('content_files').selectAll().where('item_id', '=', id).executeTakeFirstOrThrow();
    expect(f.mime).toBe('image/webp');
    expect(f.width).toBe(1600);
    expect(f.alt).toBe('Le logo bleu');
    // Staff without content rights cannot upload.
    expect((await inject(staff, `/contenus/${id}/images`, multipart({ alt: 'x' }, { name: 'file', filename: 'logo.png', bytes: big }))).statusCode).toBe(403);
  });

  it('keeps document versions; a renamed executable is refused', async () => {
    const id = await create(editor, 'Règlement intérieur', {}, 'document');
    const exe = await inject(editor, `/contenus/${id}/versions`, multipart({ version: String((await item(id)).version), note: '' }, { name: 'file', filename: 'reglement.pdf', bytes: Buffer.from('MZ\x90\x00binary', 'latin1') }));
    expect(exe.statusCode).toBe(422);
    const v1 = await inject(editor, `/contenus/${id}/versions`, multipart({ version: String((await item(id)).version), note: 'v1' }, { name: 'file', filename: 'reglement.pdf', bytes: PDF }));
    expect(v1.statusCode).toBe(302);
    const v2 = await inject(editor, `/contenus/${id}/versions`, multipart({ version: String((await item(id)).version), note: 'v2' }, { name: 'file', filename: 'reglement-2026.pdf', bytes: Buffer.concat([PDF, Buffer.from('% v2\n')]) }));
    expect(v2.statusCode).toBe(302);
    const files = await db().selectFrom('content_files').selectAll().where('item_id', '=', id).orderBy('version_number').execute();
    expect(files.map((f) => f.version_number)).toEqual([1, 2]);
    expect((await item(id)).document_file_id).toBe(files[1].id);
  });
});
