// Request types without code, end to end over HTTP: an administrator defines a type, staff file
// requests through the generated form, approvers act from the page and from the signed e-mail
// link; lists, export, bad input (422/409/404, nothing changed), French and English.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../src/platform/audit/audit.js';
import { setManager, type User } from '../src/platform/auth/users.js';
import { approvalsModule } from '../src/modules/approvals/index.js';
import { agent, count, createTestApp, makeUser, type Agent, type TestApp } from './helpers.js';
import { multipart, PDF } from './content-helpers.js';

let t: TestApp;
let hr: User, manager: User, staff: User, other: User;
let hrA: Agent, managerA: Agent, staffA: Agent, otherA: Agent;

const FIELDS = [
  'intitule | Intitulé de la formation | Training title | text | oui | 3 | 120',
  'organisme | Organisme | Provider | text | non',
  'cout | Coût | Cost | amount | oui | 0 | 20000',
  'periode | Période | Period | daterange | oui',
  'modalite | Modalité | Format | choice | oui | | | présentiel, distanciel',
  'cpf | Mobiliser le CPF | Use the CPF | yesno | non',
].join('\n');
const STEPS = ['manager | any | manager', 'rh | any | role:hr | cout > 1000'].join('\n');

const idFrom = (location: unknown) => Number(String(location).split('/').pop());
const versionIn = (body: string) => Number(/name="version" value="(\d+)"/.exec(body)?.[1]);

beforeAll(async () => {
  t = await createTestApp({ modules: [approvalsModule] });
  hr = await makeUser(t.db, ['hr']);
  manager = await makeUser(t.db, ['manager']);
  staff = await makeUser(t.db, ['staff']);
  other = await makeUser(t.db, ['staff']);
  await setManager(t.db, SYSTEM_ACTOR, staff.id, manager.id);
  await setManager(t.db, SYSTEM_ACTOR, manager.id, hr.id);
  [hrA, managerA, staffA, otherA] = [agent(t), agent(t), agent(t), agent(t)];
  await hrA.signIn(hr.email);
  await managerA.signIn(manager.email);
  await staffA.signIn(staff.email);
  await otherA.signIn(other.email);
});
afterAll(async () => t?.close());

describe('types admin', () => {
  it('staff may not define types; a type without steps is refused with the form again; a good one is created', async () => {
    expect((await staffA.get('/demandes/types')).status).toBe(403);
    expect((await staffA.post('/demandes/types/nouveau', { code: 'x', name_fr: 'x', name_en: 'x', steps: 'a | any | manager' })).status).toBe(403);
    const bad = await hrA.post('/demandes/types/nouveau', { code: 'formation', name_fr: 'Demande de formation', name_en: 'Training request', fields: FIELDS, steps: '' });
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('Il faut au moins une étape.');
    expect(bad.body).toContain('Demande de formation'); // as typed
    const badKind = await hrA.post('/demandes/types/nouveau', { code: 'formation', name_fr: 'F', name_en: 'T', fields: 'x | X | X | couleur | oui', steps: STEPS });
    expect(badKind.status).toBe(422);
    expect(badKind.body).toContain('Type de champ inconnu.');
    expect(await count(t.db, 'approval_types')).toBe(0);
    const ok = await hrA.post('/demandes/types/nouveau', { code: 'formation', name_fr: 'Demande de formation', name_en: 'Training request', fields: FIELDS, steps: STEPS, remind: '2', escalate: '5', active: '1' });
    expect(ok.status).toBe(302);
    expect(await count(t.db, 'audit_log', ['entity', 'approval_type'])).toBe(1);
    const form = await hrA.get(String(ok.headers.location));
    expect(form.status).toBe(200);
    expect(form.body).toContain('rh | any | role:hr | cout > 1000');
    const dup = await hrA.post('/demandes/types/nouveau', { code: 'formation', name_fr: 'x', name_en: 'x', steps: STEPS });
    expect(dup.status).toBe(422);
    expect(dup.body).toContain('Ce code est déjà pris.');
  });
});

describe('filing and approving', () => {
  let requestId = 0;

  it('the generated form: labels for every field, errors per field in French, nothing saved on bad input', async () => {
    const page = await staffA.get('/demandes/nouvelle/formation');
    expect(page.status).toBe(200);
    for (const l of ['Intitulé de la formation', 'Coût', 'Période', 'Modalité', 'Mobiliser le CPF']) expect(page.body).toContain(l);
    expect(page.body).toContain('for="f-periode_from"');
    const bad = await staffA.post('/demandes/nouvelle/formation', { intitule: 'ab', cout: 'beaucoup', periode_from: '2027-03-10', periode_to: '2027-03-01', modalite: 'à la plage', _submit: '1' });
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('Texte trop court.');
    expect(bad.body).toContain('Montant en euros attendu');
    expect(bad.body).toContain('La fin précède le début.');
    expect(bad.body).toContain('Choisissez une valeur de la liste.');
    expect(bad.body).toContain('aria-invalid="true"');
    expect(bad.body).toContain('value="beaucoup"');
    expect(await count(t.db, 'approval_requests')).toBe(0);
    expect((await staffA.get('/demandes/nouvelle/inconnu')).status).toBe(404);
  });

  it('in English too', async () => {
    const en = agent(t);
    await en.signIn(other.email);
    await en.get('/lang/en?next=/portail');
    const bad = await en.post('/demandes/nouvelle/formation', { intitule: 'Excel', cout: '12,50', periode_from: '2027-03-10', periode_to: 'demain', modalite: 'présentiel', _submit: '1' });
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('A date is expected (YYYY-MM-DD).');
  });

  it('a valid request is submitted, listed as mine and to approve by the manager, hidden from others', async () => {
    const ok = await staffA.post('/demandes/nouvelle/formation', { _title: 'Formation Excel avancé', intitule: 'Excel avancé', cout: '1 450,00', periode_from: '2027-03-01', periode_to: '2027-03-03', modalite: 'présentiel', cpf: '1', _submit: '1' });
    expect(ok.status).toBe(302);
    requestId = idFrom(ok.headers.location);
    const row = await t.db.selectFrom('approval_requests').selectAll().where('id', '=', requestId).executeTakeFirstOrThrow();
    expect(JSON.parse(row.payload)).toMatchObject({ cout: 145000, periode: { from: '2027-03-01', to: '2027-03-03' }, cpf: true });
    expect(row.status).toBe('pending');
    expect((await staffA.get('/demandes')).body).toContain('Formation Excel avancé');
    const todo = await managerA.get('/demandes/a-approuver');
    expect(todo.body).toContain('Formation Excel avancé');
    expect((await managerA.get('/demandes/a-approuver?status=approved')).body).not.toContain('Formation Excel avancé');
    expect((await otherA.get(`/demandes/${requestId}`)).status).toBe(404);
    expect((await otherA.get('/demandes/abc')).status).toBe(404);
    const page = await staffA.get(`/demandes/${requestId}`);
    expect(page.body).toMatch(/1\s450,00/);
    expect(page.body).not.toContain('name="decision"');
  });

  it('the manager refuses without a reason: 422, nothing changed; with a stale version: 409; approves: on to HR (cost above 1000)', async () => {
    const page = await managerA.get(`/demandes/${requestId}`);
    expect(page.body).toContain('name="decision"');
    const v = versionIn(page.body);
    const noReason = await managerA.post(`/demandes/${requestId}/decider`, { version: String(v), decision: 'refuse', comment: '' });
    expect(noReason.status).toBe(422);
    expect(noReason.body).toContain('Indiquez le motif du refus.');
    const stale = await managerA.post(`/demandes/${requestId}/decider`, { version: String(v - 1), decision: 'approve' });
    expect(stale.status).toBe(409);
    expect(stale.body).toContain('modifi'); // "modifié par quelqu’un d’autre"
    const own = await staffA.post(`/demandes/${requestId}/decider`, { version: String(v), decision: 'approve' });
    expect(own.status).toBe(403);
    const ok = await managerA.post(`/demandes/${requestId}/decider`, { version: String(v), decision: 'approve', comment: 'OK pour moi' });
    expect(ok.status).toBe(302);
    const row = await t.db.selectFrom('approval_requests').selectAll().where('id', '=', requestId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'pending', step_index: 1 });
  });

  it('HR acts from the signed link in the e-mail: GET changes nothing, POST acts once, the link does not work twice', async () => {
    await t.app.jobs.tick(new Date(Date.now() + 1000));
    const mail = await t.db.selectFrom('mail_outbox').selectAll().where('to_address', '=', hr.email).orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(mail.subject).toContain('[À valider]');
    expect(mail.text_body).not.toContain('1 450'); // a summary and links, not the content
    const url = /\/approbations\/lien\/[A-Za-z0-9_-]+/.exec(mail.text_body)?.[0];
    expect(url).toBeTruthy();
    const anonymous = agent(t);
    const confirm = await anonymous.get(url!);
    expect(confirm.status).toBe(200);
    expect(confirm.body).toContain('Formation Excel avancé');
    expect((await t.db.selectFrom('approval_requests').select('status').where('id', '=', requestId).executeTakeFirstOrThrow()).status).toBe('pending');
    const noReason = await anonymous.post(url!, { decision: 'refuse' });
    expect(noReason.status).toBe(422);
    const done = await anonymous.post(url!, { decision: 'approve' });
    expect(done.status).toBe(200);
    expect(done.body).toContain('Votre décision est enregistrée.');
    const row = await t.db.selectFrom('approval_requests').selectAll().where('id', '=', requestId).executeTakeFirstOrThrow();
    expect(row.status).toBe('approved');
    const hist = await t.db.selectFrom('approval_history').selectAll().where('request_id', '=', requestId).where('action', '=', 'approve').orderBy('id').execute();
    expect(hist.at(-1)?.actor_id).toBe(hr.id);
    expect((await anonymous.post(url!, { decision: 'approve' })).status).toBe(409);
    expect((await anonymous.get(url!)).status).toBe(410);
    expect((await anonymous.get('/approbations/lien/nimportequoi')).status).toBe(410);
    // The requester heard of the decision.
    await t.app.jobs.tick(new Date(Date.now() + 1000));
    expect(await count(t.db, 'mail_outbox', ['to_address', staff.email])).toBeGreaterThanOrEqual(1);
  });

  it('a link stops working when the request moved on without it', async () => {
    const ok = await staffA.post('/demandes/nouvelle/formation', { intitule: 'Anglais', cout: '300', periode_from: '2027-04-01', periode_to: '2027-04-01', modalite: 'distanciel', _submit: '1' });
    const id = idFrom(ok.headers.location);
    await t.app.jobs.tick(new Date(Date.now() + 1000));
    const mail = await t.db.selectFrom('mail_outbox').selectAll().where('to_address', '=', manager.email).orderBy('id', 'desc').executeTakeFirstOrThrow();
    const url = /\/approbations\/lien\/[A-Za-z0-9_-]+/.exec(mail.text_body)![0];
    const page = await staffA.get(`/demandes/${id}`);
    expect((await staffA.post(`/demandes/${id}/retirer`, { version: String(versionIn(page.body)) })).status).toBe(302);
    expect((await agent(t).post(url, { decision: 'approve' })).status).toBe(409);
    expect((await t.db.selectFrom('approval_requests').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('withdrawn');
  });

  it('sent back, edited through the form and submitted again; a draft is kept until submitted', async () => {
    const ok = await staffA.post('/demandes/nouvelle/formation', { intitule: 'Gestion de projet', cout: '500', periode_from: '2027-05-01', periode_to: '2027-05-02', modalite: 'présentiel', _submit: '1' });
    const id = idFrom(ok.headers.location);
    const v = versionIn((await managerA.get(`/demandes/${id}`)).body);
    expect((await managerA.post(`/demandes/${id}/decider`, { version: String(v), decision: 'send_back', comment: 'Précisez l’organisme' })).status).toBe(302);
    const edit = await staffA.get(`/demandes/${id}/modifier`);
    expect(edit.status).toBe(200);
    expect(edit.body).toContain('Gestion de projet');
    const v2 = versionIn(edit.body);
    expect((await staffA.post(`/demandes/${id}/modifier`, { version: String(v2), intitule: 'Gestion de projet', organisme: 'CNAM', cout: '500', periode_from: '2027-05-01', periode_to: '2027-05-02', modalite: 'présentiel', _submit: '1' })).status).toBe(302);
    const row = await t.db.selectFrom('approval_requests').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'pending', step_index: 0, round: 2 });
    expect(JSON.parse(row.payload).organisme).toBe('CNAM');
    const draft = await staffA.post('/demandes/nouvelle/formation', { intitule: 'Brouillon', _submit: '0' });
    expect(draft.status).toBe(302);
    const d = await t.db.selectFrom('approval_requests').selectAll().where('id', '=', idFrom(draft.headers.location)).executeTakeFirstOrThrow();
    expect(d.status).toBe('draft');
  });

  it('editing the type writes a new version; the export lists the requests with their values', async () => {
    const types = await t.db.selectFrom('approval_types').selectAll().execute();
    const form = await hrA.get(`/demandes/types/${types[0].id}`);
    const v = versionIn(form.body);
    const saved = await hrA.post(`/demandes/types/${types[0].id}`, { version: String(v), name_fr: 'Demande de formation', name_en: 'Training request', fields: FIELDS, steps: 'manager | any | manager', active: '1' });
    expect(saved.status).toBe(302);
    expect(await count(t.db, 'approval_type_versions', ['type_id', types[0].id])).toBe(2);
    const stale = await hrA.post(`/demandes/types/${types[0].id}`, { version: String(v), name_fr: 'X', name_en: 'X', fields: FIELDS, steps: STEPS, active: '1' });
    expect(stale.status).toBe(409);
    const csv = await hrA.get(`/demandes/types/${types[0].id}/export.csv`);
    expect(csv.status).toBe(200);
    expect(csv.body).toContain('Excel avancé');
    expect(csv.body).toMatch(/1\s450,00/);
    expect(csv.body).toContain('Demande de formation — Test staff'); // a default title names the requester, not their e-mail
    expect((await staffA.get(`/demandes/types/${types[0].id}/export.csv`)).status).toBe(403);
  });

  it('deputy: one cannot be one’s own (422); a colleague is saved', async () => {
    expect((await staffA.get('/demandes/suppleant')).status).toBe(200);
    const self = await staffA.post('/demandes/suppleant', { deputy: String(staff.id) });
    expect(self.status).toBe(422);
    expect(self.body).toContain('Vous ne pouvez pas être votre propre suppléant.');
    expect((await staffA.post('/demandes/suppleant', { deputy: String(other.id) })).status).toBe(302);
    expect((await t.db.selectFrom('approval_deputies').selectAll().where('user_id', '=', staff.id).executeTakeFirstOrThrow()).deputy_id).toBe(other.id);
  });

  it('the portal lists the steps waiting for me under "À traiter"', async () => {
    const home = await managerA.get('/portail');
    expect(home.status).toBe(200);
    expect(home.body).toContain('Demande à approuver');
  });

  it('attachments: a type with a file field takes a multipart form; a wrong or too heavy file is a 422 on its field, nothing saved; the file is served to who may see the request', async () => {
    const created = await hrA.post('/demandes/types/nouveau', { code: 'materiel', name_fr: 'Matériel', name_en: 'Equipment', fields: 'objet | Objet | Item | text | oui\ndevis | Devis | Quote | attachment | oui', steps: 'manager | any | manager', active: '1' });
    expect(created.status).toBe(302);
    const form = await staffA.get('/demandes/nouvelle/materiel');
    expect(form.body).toContain('enctype="multipart/form-data"');
    expect(form.body).toContain('type="file"');
    const send = async (file: { filename: string; bytes: Buffer } | undefined, csrf = staffA.csrf) => {
      const body = multipart({ objet: 'Écran 27 pouces', _submit: '1' }, file ? { name: 'devis', ...file } : undefined);
      const res = await t.app.fastify.inject({ method: 'POST', url: `/demandes/nouvelle/materiel?_csrf=${encodeURIComponent(csrf)}`, headers: { ...body.headers, cookie: [...staffA.cookies].map(([k, v]) => `${k}=${v}`).join('; ') }, payload: body.payload });
      return { status: res.statusCode, body: res.body, location: res.headers.location };
    };
    const before = await count(t.db, 'approval_requests');
    const missing = await send(undefined);
    expect(missing.status).toBe(422);
    expect(missing.body).toContain('Joignez le fichier.');
    const wrong = await send({ filename: 'devis.exe', bytes: Buffer.from('MZ\x90\x00 not a document') });
    expect(wrong.status).toBe(422);
    expect(wrong.body).toContain('Type de fichier non accepté');
    const heavy = await send({ filename: 'devis.pdf', bytes: Buffer.concat([PDF, Buffer.alloc(10 * 1024 * 1024 + 10)]) });
    expect(heavy.status).toBe(422);
    expect(heavy.body).toContain('Fichier trop lourd');
    expect(await count(t.db, 'approval_requests')).toBe(before);
    expect((await send({ filename: 'devis.pdf', bytes: PDF }, 'forged')).status).toBe(403);
    const ok = await send({ filename: 'devis.pdf', bytes: PDF });
    expect(ok.status).toBe(302);
    const id = idFrom(ok.location);
    const page = await managerA.get(`/demandes/${id}`);
    expect(page.body).toContain(`/demandes/${id}/pieces/devis`);
    const file = await managerA.get(`/demandes/${id}/pieces/devis`);
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toContain('application/pdf');
    expect(file.body.startsWith('%PDF')).toBe(true);
    expect((await otherA.get(`/demandes/${id}/pieces/devis`)).status).toBe(404);
    expect((await managerA.get(`/demandes/${id}/pieces/objet`)).status).toBe(404);
  });
});
