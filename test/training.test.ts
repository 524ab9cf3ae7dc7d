// Training centre (#15): catalogue, planning with double bookings refused, member enrolment with
// company isolation, confirmation with a convocation over real SMTP (iCalendar invitation),
// waiting list, tablet signatures, certificates (PDF text), gapless invoices posted to
// accounting, trainers' pay queued as SEPA orders, reports and BPF. One app for the file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agent, api, count, createTestApp, makeUser, type Agent, type TestApp } from './helpers.js';
import { makeCompany, makeMember, memberAgent, postMultipart, PDF, type TestCompany } from './extranet-helpers.js';
import { startSmtp, type Inbox } from './smtp.js';
import { pdfText } from './training-helpers.js';
import { todayInParis, addDays } from '../src/modules/training/dates.js';

let t: TestApp;
let inbox: Inbox;
let staff: Agent;
let a: TestCompany;
let b: TestCompany;
let memberA: Agent;
let memberB: Agent;
let memberAEmail: string;
const today = todayInParis();
const ids: { course?: number; room?: number; smallRoom?: number; trainer?: number; trainer2?: number; session?: number } = {};

beforeAll(async () => {
  inbox = await startSmtp();
  t = await createTestApp({ env: { SMTP_URL: inbox.url } });
  staff = agent(t);
  await staff.signIn((await makeUser(t.db, ['training'], { name: 'Fanny Formation' })).email);
  a = await makeCompany(t.db, 'Aciéries du Gier');
  b = await makeCompany(t.db, 'Boulangerie Bellevue');
  memberAEmail = (await makeMember(t.db, [a.id])).email;
  memberA = await memberAgent(t, memberAEmail);
  memberB = await memberAgent(t, (await makeMember(t.db, [b.id])).email);
});
afterAll(async () => {
  await t?.close();
  await inbox?.close();
});

const idFrom = (location: unknown) => Number(String(location).match(/(\d+)(?:[#?].*)?$/)![1]);
const course = (over: Record<string, string> = {}) => ({
  code: 'EXCEL-1',
  title: 'Excel : tableaux croisés dynamiques',
  summary: 'Analyser ses données en une journée.',
  objectives: 'Construire un tableau croisé dynamique.',
  programme: 'Sources de données\n\nTableaux croisés\n\nGraphiques',
  prerequisites: 'Connaître les bases d’Excel',
  audience: 'Assistants, gestionnaires',
  duration_hours: '7',
  price: '390',
  intra_day: '1200',
  vat_exempt: '1',
  visibility: 'public',
  teaching_methods: 'Exercices sur poste',
  assessment: 'Cas pratique final',
  access_delay: '15 jours',
  accessibility: 'Salle accessible ; adaptations sur demande au référent handicap.',
  results: '',
  active: '1',
  ...over,
});
const trainer = (over: Record<string, string> = {}) => ({ name: 'Véronique Vacataire', email: `vv${Math.random().toString(36).slice(2, 6)}@formateurs.fr`, status: 'contract', iban: 'FR76 3000 6000 0112 3456 7890 189', bic: 'AGRIFRPP', rate_face: '60', rate_prep: '30', rate_remote: '50', skills: 'Bureautique', ...over });
const session = (over: Record<string, string> = {}) => ({ course_id: String(ids.course), kind: 'inter', company_id: '', room_id: String(ids.room), trainer_id: String(ids.trainer), start_date: addDays(today, 30), end_date: addDays(today, 31), pattern: 'day', min_trainees: '1', max_trainees: '2', price: '', notes: '', ...over });
async function deliver(n: number) {
  await t.app.jobs.tick();
  return inbox.waitFor(n);
}

describe('catalogue and resources', () => {
  it('a course, a room and trainers are created; bad input is refused with a message and writes nothing', async () => {
    const bad = await staff.post('/formation/catalogue', course({ code: 'excel 1', duration_hours: 'sept', accessibility: '' }));
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('Code : 2 à 20 majuscules');
    expect(bad.body).toContain('référent handicap'.slice(0, 0) + 'Indiquez les conditions d’accueil');
    expect(bad.body).toContain('Exercices sur poste'); // values as typed
    expect(await count(t.db, 'training_courses')).toBe(0);
    const ok = await staff.post('/formation/catalogue', course());
    expect(ok.status).toBe(302);
    ids.course = idFrom(ok.headers.location);
    expect((await staff.post('/formation/catalogue', course({ code: 'PRIVE-1', title: 'Management interne', visibility: 'private' }))).status).toBe(302);

    expect((await staff.post('/formation/salles', { name: 'Salle Fauriel', capacity: '12', equipment: 'Vidéoprojecteur, 12 postes', accessible: '1' })).status).toBe(302);
    expect((await staff.post('/formation/salles', { name: 'Petit salon', capacity: '1', equipment: '', accessible: '1' })).status).toBe(302);
    const rooms = await t.db.selectFrom('training_rooms').select(['id', 'name']).execute();
    ids.room = rooms.find((r) => r.name === 'Salle Fauriel')!.id;
    ids.smallRoom = rooms.find((r) => r.name === 'Petit salon')!.id;

    // An IBAN with a wrong check digit: 422 on the field, in French and English, nothing stored.
    const badIban = await staff.post('/formation/formateurs', trainer({ iban: 'FR76 3000 6000 0112 3456 7890 188' }));
    expect(badIban.status).toBe(422);
    expect(badIban.body).toContain('IBAN invalide');
    expect(await count(t.db, 'training_trainers')).toBe(0);
    const en = agent(t);
    await en.signIn((await makeUser(t.db, ['training'])).email);
    await en.get('/lang/en?next=/formation');
    expect((await en.post('/formation/formateurs', trainer({ iban: 'FR76 3000 6000 0112 3456 7890 188' }))).body).toContain('Invalid IBAN');
    const ok1 = await staff.post('/formation/formateurs', trainer());
    expect(ok1.status).toBe(302);
    ids.trainer = idFrom(ok1.headers.location);
    const ok2 = await staff.post('/formation/formateurs', trainer({ name: 'Sylvain Salarié', status: 'salaried', iban: '', bic: '' }));
    ids.trainer2 = idFrom(ok2.headers.location);
    // The audit keeps only the IBAN's last four characters.
    const audit = await t.db.selectFrom('audit_log').select('changes').where('entity', '=', 'training_trainer').where('entity_id', '=', String(ids.trainer)).executeTakeFirstOrThrow();
    expect(audit.changes).not.toContain('300060000112');
  });

  it('the public site and the extranet list published courses only, with a search; the API too', async () => {
    const anon = agent(t);
    const list = await anon.get('/formations?q=croises');
    expect(list.status).toBe(200);
    expect(list.body).toContain('Excel : tableaux croisés dynamiques');
    expect((await anon.get('/formations?q=comptabilite')).body).not.toContain('Excel');
    expect((await anon.get('/formations')).body).not.toContain('Management interne');
    const page = await anon.get('/formations/excel-tableaux-croises-dynamiques');
    expect(page.status).toBe(200);
    expect(page.body).toContain('Construire un tableau croisé dynamique');
    expect(page.body).toContain('référent handicap');
    expect((await anon.get('/formations/management-interne')).status).toBe(404);
    // A slug no course can have (a NUL byte, upper case, a quote) is a 404 on both databases, never a 500.
    for (const bad of ['%00', 'Excel', "l'excel"]) expect((await anon.get(`/formations/${bad}`)).status, bad).toBe(404);
    expect((await anon.get('/formations/%C0%AF')).status).toBe(400); // not UTF-8: refused by the router
    expect((await memberA.get('/extranet/formations')).body).toContain('Excel : tableaux croisés dynamiques');
    const json = (await api(t, 'GET', '/api/v1/training/courses')).json<{ items: { code: string }[] }>();
    expect(json.items.map((i) => i.code)).toEqual(['EXCEL-1']);
  });
});

describe('planning', () => {
  it('over the room capacity, a trainer or a room booked twice, a half day outside the session: 422, nothing written', async () => {
    const over = await staff.post('/formation/sessions', session({ room_id: String(ids.smallRoom), max_trainees: '2' }));
    expect(over.status).toBe(422);
    expect(over.body).toContain('Plus de stagiaires que de places dans la salle (1)');
    const ok = await staff.post('/formation/sessions', session());
    expect(ok.status).toBe(302);
    ids.session = idFrom(ok.headers.location);
    const slots = await count(t.db, 'training_slots');
    expect(slots).toBeGreaterThanOrEqual(2);

    const trainerTwice = await staff.post('/formation/sessions', session({ room_id: '', remote: '1' }));
    expect(trainerTwice.status).toBe(422);
    expect(trainerTwice.body).toMatch(/Formateur déjà pris le \d\d\/\d\d\/\d{4} \((am|pm)\) pour « Excel/);
    const roomTwice = await staff.post('/formation/sessions', session({ trainer_id: String(ids.trainer2) }));
    expect(roomTwice.status).toBe(422);
    expect(roomTwice.body).toContain('Salle déjà réservée');
    expect(await count(t.db, 'training_sessions')).toBe(1);
    expect(await count(t.db, 'training_slots')).toBe(slots);

    const outside = await staff.post(`/formation/sessions/${ids.session}/demi-journees`, { day: addDays(today, 40), half: 'am' });
    expect(outside.status).toBe(422);
    expect(outside.body).toContain('hors des dates de la session');
    expect(await count(t.db, 'training_slots')).toBe(slots);

    const planning = await staff.get('/formation');
    expect(planning.status).toBe(200);
    expect(planning.body).toContain('Excel : tableaux croisés dynamiques');
    expect((await staff.get('/formation?du=hier')).status).toBe(400);
    expect((await staff.get(`/formation?formateur=${ids.trainer2}`)).body).not.toContain('Excel : tableaux croisés dynamiques (EXCEL-1)');
    expect((await staff.get(`/formation?formateur=${ids.trainer}`)).body).toContain('Excel : tableaux croisés dynamiques (EXCEL-1)');
  });
});

describe('enrolment', () => {
  it('a member enrols an employee; staff confirm; the convocation arrives with an iCalendar invitation; the waiting list moves up', async () => {
    const before = inbox.messages.length;
    const r = await memberA.post(`/extranet/formations/sessions/${ids.session}/inscrire`, { trainee_name: 'Camille Aciérie', trainee_email: 'camille@acieries.fr', trainee_job: 'Assistante', funding: 'opco', opco_name: 'OPCO 2i', opco_ref: 'DOS-42', needs: '' });
    expect(r.status).toBe(302);
    const e1 = idFrom(r.headers.location);
    const bad = await memberA.post(`/extranet/formations/sessions/${ids.session}/inscrire`, { trainee_name: '', trainee_email: 'pas-un-email', funding: 'opco', opco_name: '' });
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('Indiquez l’OPCO qui finance.');
    expect((await staff.get('/portail')).body).toContain('1 inscription(s) à confirmer');
    const unknown = await staff.post(`/formation/sessions/${ids.session}/inscriptions`, { trainee_name: 'Zoé Inconnue', trainee_email: 'zoe@nulle-part.fr', company_id: '999999', funding: 'company' });
    expect(unknown.status).toBe(422);
    expect(unknown.body).toContain('Aucune entreprise du répertoire ne porte ce numéro.');
    expect((await staff.post(`/formation/stagiaires/${e1}/confirmer`)).status).toBe(302);
    const msgs = await deliver(before + 1);
    const mail = msgs.find((m) => (m.to as { text: string }).text.includes('camille@acieries.fr'))!;
    expect(mail.subject).toContain('Convocation : Excel');
    expect(mail.text).toContain('Salle Fauriel');
    const ics = mail.attachments.find((x) => x.contentType.startsWith('text/calendar'))!;
    const cal = ics.content.toString('utf8').replace(/\r\n[ \t]/g, ''); // unfolded (RFC 5545 §3.1)
    expect(cal).toContain('METHOD:REQUEST');
    expect(cal).toContain('BEGIN:VEVENT');
    expect(cal.match(/BEGIN:VEVENT/g)!.length).toBe(await count(t.db, 'training_slots', ['session_id', ids.session]));
    expect(cal).toContain('camille@acieries.fr');

    // Company B fills the last seat; the third enrolment waits; a cancellation moves it up.
    const r2 = await memberB.post(`/extranet/formations/sessions/${ids.session}/inscrire`, { trainee_name: 'Bruno Boulanger', trainee_email: 'bruno@bellevue.fr', funding: 'company' });
    const e2 = idFrom(r2.headers.location);
    const r3 = await memberB.post(`/extranet/formations/sessions/${ids.session}/inscrire`, { trainee_name: 'Berthe Boulanger', trainee_email: 'berthe@bellevue.fr', funding: 'self' });
    const e3 = idFrom(r3.headers.location);
    const row = (id: number) => t.db.selectFrom('training_enrolments').select(['status', 'late_cancel']).where('id', '=', id).executeTakeFirstOrThrow();
    expect((await row(e3)).status).toBe('waiting');
    expect((await memberB.post(`/extranet/formations/stagiaires/${e2}/annuler`, { reason: 'Surcroît de travail' })).status).toBe(302);
    expect(await row(e2)).toEqual({ status: 'cancelled', late_cancel: 0 });
    expect((await row(e3)).status).toBe('confirmed');
    const after = await deliver(before + 4); // cancellation + seat freed + convocation
    expect(after.some((m) => (m.to as { text: string }).text.includes('berthe@bellevue.fr') && m.subject!.startsWith('Convocation'))).toBe(true);
  });

  it('company A never sees company B’s enrolments; staff without training:manage are refused', async () => {
    const mineA = await memberA.get('/extranet/formations/mes-inscriptions');
    expect(mineA.body).toContain('Camille Aciérie');
    expect(mineA.body).not.toContain('Boulanger');
    const mineB = await memberB.get('/extranet/formations/mes-inscriptions');
    expect(mineB.body).toContain('Berthe Boulanger');
    expect(mineB.body).not.toContain('Camille');
    const e1 = (await t.db.selectFrom('training_enrolments').select('id').where('trainee_email', '=', 'camille@acieries.fr').executeTakeFirstOrThrow()).id;
    expect((await memberB.get(`/extranet/formations/stagiaires/${e1}`)).status).toBe(404);
    expect((await memberB.get(`/extranet/formations/stagiaires/${e1}/convention.pdf`)).status).toBe(404);
    expect((await memberB.post(`/extranet/formations/stagiaires/${e1}/annuler`, { reason: 'x' })).status).toBe(404);
    expect((await t.db.selectFrom('training_enrolments').select('status').where('id', '=', e1).executeTakeFirstOrThrow()).status).toBe('confirmed');
    const plain = agent(t);
    await plain.signIn((await makeUser(t.db, ['staff'])).email);
    expect((await plain.get('/formation')).status).toBe(403);
    expect((await plain.get(`/formation/sessions/${ids.session}`)).status).toBe(403);
    expect((await plain.get('/formation/bilans')).status).toBe(403);
    expect((await memberA.get('/formation')).status).toBe(302); // a member session is not a staff session: sign-in page
    expect((await agent(t).get('/extranet/formations')).status).toBe(302);
    const direction = agent(t);
    await direction.signIn((await makeUser(t.db, ['direction'])).email);
    expect((await direction.get('/formation/bilans')).status).toBe(200);
    expect((await direction.get('/formation')).status).toBe(403);
    const accountant = agent(t);
    await accountant.signIn((await makeUser(t.db, ['accounting'])).email);
    expect((await accountant.get('/formation/bilans')).status).toBe(200);
    expect((await accountant.post(`/formation/sessions/${ids.session}/factures`)).status).toBe(403);
    expect((await memberA.post(`/formation/stagiaires/${e1}/confirmer`)).status).toBe(401); // not a staff session
  });

  it('the convention is a PDF naming the company, the trainee and the OPCO', async () => {
    const e1 = (await t.db.selectFrom('training_enrolments').select('id').where('trainee_email', '=', 'camille@acieries.fr').executeTakeFirstOrThrow()).id;
    const res = await t.app.fastify.inject({ method: 'GET', url: `/extranet/formations/stagiaires/${e1}/convention.pdf`, headers: { cookie: [...memberA.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const text = pdfText(res.rawPayload);
    expect(text).toContain('Convention de formation professionnelle');
    expect(text).toContain('Aciéries du Gier');
    expect(text).toContain('Camille Aciérie (Assistante)');
    expect(text).toContain('OPCO 2i (dossier DOS-42)');
  });
});

describe('session cancelled by the centre', () => {
  it('cancels its enrolments without a late fee, frees room and trainer, and writes an audit row', async () => {
    const res = await staff.post('/formation/sessions', session({ start_date: addDays(today, 3), end_date: addDays(today, 9), trainer_id: '', room_id: String(ids.smallRoom), max_trainees: '1' }));
    expect(res.status).toBe(302);
    const sid = idFrom(res.headers.location);
    expect((await staff.post(`/formation/sessions/${sid}/inscriptions`, { trainee_name: 'Ali Tardif', trainee_email: 'ali@acieries.fr', company_id: String(a.id), funding: 'company' })).status).toBe(302);
    expect((await staff.post(`/formation/sessions/${sid}/annuler`)).status).toBe(302);
    const e = await t.db.selectFrom('training_enrolments').select(['status', 'late_cancel']).where('session_id', '=', sid).executeTakeFirstOrThrow();
    expect(e).toEqual({ status: 'cancelled', late_cancel: 0 });
    expect(await count(t.db, 'training_slots', ['room_id', ids.smallRoom!])).toBe(0);
    expect((await t.db.selectFrom('audit_log').select('action').where('entity', '=', 'training_session').where('entity_id', '=', String(sid)).orderBy('id', 'desc').executeTakeFirstOrThrow()).action).toBe('cancel');
  });
});

describe('attendance and certificates', () => {
  let sessionId: number;
  let slotId: number;
  let enrolmentId: number;
  it('on today’s half day, a trainee signs on the pad, the trainer with the keyboard alternative; a wrong typed name is refused', async () => {
    const res = await staff.post('/formation/sessions', session({ start_date: today, end_date: addDays(today, 6), room_id: '', remote: '1', trainer_id: String(ids.trainer2), max_trainees: '5' }));
    expect(res.status).toBe(302);
    sessionId = idFrom(res.headers.location);
    if (!(await t.db.selectFrom('training_slots').select('id').where('session_id', '=', sessionId).where('day', '=', today).where('half', '=', 'am').executeTakeFirst())) {
      expect((await staff.post(`/formation/sessions/${sessionId}/demi-journees`, { day: today, half: 'am' })).status).toBe(302);
    }
    // Keep only today's morning so the certificate can be issued today.
    for (const s of await t.db.selectFrom('training_slots').select(['id', 'day', 'half']).where('session_id', '=', sessionId).execute()) {
      if (s.day !== today || s.half !== 'am') expect((await staff.post(`/formation/sessions/${sessionId}/demi-journees/${s.id}/retirer`)).status).toBe(302);
    }
    slotId = (await t.db.selectFrom('training_slots').select('id').where('session_id', '=', sessionId).executeTakeFirstOrThrow()).id;
    const en = await staff.post(`/formation/sessions/${sessionId}/inscriptions`, { trainee_name: 'Élodie Acier', trainee_email: 'elodie@acieries.fr', company_id: String(a.id), funding: 'company' });
    expect(en.status).toBe(302);
    enrolmentId = (await t.db.selectFrom('training_enrolments').select('id').where('trainee_email', '=', 'elodie@acieries.fr').executeTakeFirstOrThrow()).id;

    const page = await staff.get(`/formation/emargement/${slotId}`);
    expect(page.body).toContain('data-pad');
    expect(page.body).toContain('/static/training-sign.js');
    const junk = await staff.post(`/formation/emargement/${slotId}`, { who: String(enrolmentId), signature: '<script>alert(1)</script>' });
    expect(junk.status).toBe(422);
    expect(junk.body).toContain('Signature illisible');
    expect((await staff.post(`/formation/emargement/${slotId}`, { who: String(enrolmentId), signature: 'M10 10 L50 60 L90 20' })).status).toBe(302);
    expect((await staff.post(`/formation/emargement/${slotId}`, { who: String(enrolmentId), signature: 'M1 1 L2 2' })).status).toBe(409);
    const wrong = await staff.post(`/formation/emargement/${slotId}`, { who: 'trainer', typed_confirm: '1', typed_name: 'Quelqu’un d’autre' });
    expect(wrong.status).toBe(422);
    expect(wrong.body).toContain('Tapez votre nom tel qu’il est inscrit : Sylvain Salarié');
    expect((await staff.post(`/formation/emargement/${slotId}`, { who: 'trainer', typed_confirm: '1', typed_name: 'sylvain salarie' })).status).toBe(302);
    const rows = await t.db.selectFrom('training_attendance').select(['method', 'enrolment_id', 'trainer_id']).where('slot_id', '=', slotId).orderBy('id').execute();
    expect(rows).toEqual([
      { method: 'pad', enrolment_id: enrolmentId, trainer_id: null },
      { method: 'typed', enrolment_id: null, trainer_id: ids.trainer2 },
    ]);
    // A scanned sheet of another type is refused; a PDF is kept.
    const txt = await postMultipart(t, staff, `/formation/emargement/${slotId}/scan`, {}, [{ name: 'scan', filename: 'feuille.txt', type: 'text/plain', data: Buffer.from('hello') }]);
    expect(txt.status).toBe(422);
    expect((await postMultipart(t, staff, `/formation/emargement/${slotId}/scan`, {}, [{ name: 'scan', filename: 'feuille.pdf', type: 'application/pdf', data: PDF }])).status).toBe(302);
  });

  it('the certificates come from attendance and appear for the member company only', async () => {
    const list = await memberA.get(`/extranet/formations/stagiaires/${enrolmentId}`);
    expect(list.body).toContain('certificat-realisation.pdf');
    const cookie = [...memberA.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await t.app.fastify.inject({ method: 'GET', url: `/extranet/formations/stagiaires/${enrolmentId}/certificat-realisation.pdf`, headers: { cookie } });
    expect(res.statusCode).toBe(200);
    const text = pdfText(res.rawPayload);
    expect(text).toContain('Certificat de réalisation');
    expect(text).toContain('Élodie Acier');
    expect(text).toContain('Durée réalisée : 3,5 h sur 3,5 h prévues.');
    const att = await t.app.fastify.inject({ method: 'GET', url: `/extranet/formations/stagiaires/${enrolmentId}/attestation-assiduite.pdf`, headers: { cookie } });
    expect(pdfText(att.rawPayload)).toContain('Assiduité : 100 %');
    expect((await memberB.get(`/extranet/formations/stagiaires/${enrolmentId}/certificat-realisation.pdf`)).status).toBe(404);
    // Sent to the company: each member with access to it gets the certificate attached.
    const before = inbox.messages.length;
    expect((await staff.post(`/formation/sessions/${sessionId}/certificats`)).status).toBe(302);
    const msgs = await deliver(before + 1);
    const sent = msgs.slice(before).find((m) => (m.to as { text: string }).text.includes(memberAEmail))!;
    expect(sent.subject).toContain('Certificat de réalisation : Élodie Acier');
    const attached = sent.attachments.find((x) => x.contentType === 'application/pdf')!;
    expect(pdfText(attached.content)).toContain('Élodie Acier');
    expect(msgs.slice(before).every((m) => !(m.to as { text: string }).text.includes('bellevue'))).toBe(true);
  });

  it('the hot survey is answered once by its link; results per course and trainer', async () => {
    expect((await staff.post(`/formation/sessions/${sessionId}/enquete`)).status).toBe(302);
    const token = (await t.db.selectFrom('training_enrolments').select('survey_token').where('id', '=', enrolmentId).executeTakeFirstOrThrow()).survey_token!;
    const anon = agent(t);
    const bad = await anon.post(`/formations/avis/${token}`, { overall: '9', content: '4', trainer: '5', organisation: '4', recommend: '1' });
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('Choisissez une note de 1 à 5.');
    expect((await anon.post(`/formations/avis/${token}`, { overall: '5', content: '4', trainer: '5', organisation: '3', recommend: '1', comment: 'Très concret' })).status).toBe(200);
    expect((await anon.post(`/formations/avis/${token}`, { overall: '1', content: '1', trainer: '1', organisation: '1', recommend: '0' })).status).toBe(409);
    expect((await anon.get('/formations/avis/pas-un-jeton-valide-du-tout')).status).toBe(404);
    const rep = await staff.get(`/formation/bilans?annee=${today.slice(0, 4)}`);
    expect(rep.status).toBe(200);
    expect(rep.body).toContain('Sylvain Salarié');
  });
});

describe('invoices and trainers’ pay', () => {
  it('invoice numbers have no gap even when the posting fails: the failed transaction rolls back number, invoice and entry', async () => {
    const year = today.slice(0, 4);
    // Accounting closes the period through today: the VE posting is refused, so is the invoice.
    await t.db.insertInto('accounting_closings').values({ closed_through: today, created_by: null, created_at: new Date().toISOString() }).execute();
    const refused = await staff.post(`/formation/sessions/${ids.session}/factures`);
    expect(refused.status).toBe(422);
    expect(await count(t.db, 'training_invoices')).toBe(0);
    expect(await count(t.db, 'training_counters')).toBe(0);
    expect(await count(t.db, 'accounting_entries')).toBe(0);
    await t.db.deleteFrom('accounting_closings').execute();
    expect((await staff.post(`/formation/sessions/${ids.session}/factures`)).status).toBe(302);
    const invs = await t.db.selectFrom('training_invoices').select(['number', 'customer_kind', 'customer_name', 'net_cents', 'entry_number']).orderBy('id').execute();
    // Camille (OPCO 2i) and Berthe (self-funded): two customers, numbers 0001 and 0002.
    expect(invs.map((i) => i.number)).toEqual([`FA-${year}-0001`, `FA-${year}-0002`]);
    expect(invs.map((i) => i.customer_kind).sort()).toEqual(['opco', 'person']);
    expect(invs.every((i) => i.entry_number?.startsWith('VE'))).toBe(true);
    const lines = await t.db.selectFrom('accounting_lines').select(['account', 'debit_cents', 'credit_cents']).execute();
    expect(lines.filter((l) => l.account === '411').reduce((s, l) => s + Number(l.debit_cents), 0)).toBe(2 * 39000);
    expect(lines.filter((l) => l.account === '7061').reduce((s, l) => s + Number(l.credit_cents), 0)).toBe(2 * 39000);
    expect((await staff.post(`/formation/sessions/${ids.session}/factures`)).status).toBe(409); // nothing left to invoice

    // A credit note: its own series, a reversing entry, and the enrolment can be invoiced again.
    const first = await t.db.selectFrom('training_invoices').select('id').where('number', '=', `FA-${year}-0001`).executeTakeFirstOrThrow();
    const noReason = await staff.post(`/formation/factures/${first.id}/avoir`, { reason: '' });
    expect(noReason.status).toBe(422);
    expect(noReason.body).toContain('Ce champ est obligatoire.');
    expect(await count(t.db, 'training_invoices', ['kind', 'credit'])).toBe(0);
    expect((await staff.post(`/formation/factures/${first.id}/avoir`, { reason: 'Erreur de client' })).status).toBe(302);
    expect((await staff.post(`/formation/factures/${first.id}/avoir`, { reason: 'Encore' })).status).toBe(409);
    expect((await staff.post(`/formation/sessions/${ids.session}/factures`)).status).toBe(302);
    const numbers = (await t.db.selectFrom('training_invoices').select('number').orderBy('id').execute()).map((r) => r.number);
    expect(numbers).toEqual([`FA-${year}-0001`, `FA-${year}-0002`, `AV-${year}-0001`, `FA-${year}-0003`]);
    const pdf = await t.app.fastify.inject({ method: 'GET', url: `/formation/factures/${first.id}/pdf`, headers: { cookie: [...staff.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    const text = pdfText(pdf.rawPayload);
    expect(text).toContain(`Facture FA-${year}-0001`);
    expect(text).toContain('OPCO 2i');
    expect(text).toContain('exonération, article 261-4-4° a du CGI');
    expect(text).toContain('Net à payer : 390,00 €');
  });

  it('trainers’ hours are generated, declared, validated: an AC entry and a SEPA order in accounting; the salaried go to the payroll CSV', async () => {
    const month = today.slice(0, 7);
    expect((await staff.post('/formation/paie/generer', { month })).status).toBe(302);
    const months = await t.db.selectFrom('training_pay_months').selectAll().where('month', '=', month).execute();
    const salaried = months.find((m) => m.trainer_id === ids.trainer2)!;
    expect(salaried.total_cents).toBe(3.5 * 5000); // one remote half day at Sylvain's remote rate
    const bad = await staff.post(`/formation/paie/${salaried.id}/heures`, { day: `${month === '2000-01' ? '1999' : '1990'}-01-01`, kind: 'prep', hours: '2', label: 'Préparation' });
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('n’est pas dans le mois du relevé');
    expect((await staff.post(`/formation/paie/${salaried.id}/declarer`)).status).toBe(302);
    expect((await staff.post(`/formation/paie/${salaried.id}/valider`)).status).toBe(302);
    const csv = await staff.get(`/formation/paie/export.csv?mois=${month}`);
    expect(csv.status).toBe(200);
    expect(csv.body).toContain('Sylvain Salarié');

    // The contract trainer: add preparation hours in a month with a session (next month's Excel session may be later: use this month).
    const contract = await t.db.selectFrom('training_pay_months').selectAll().where('trainer_id', '=', ids.trainer!).executeTakeFirst();
    const payId = contract?.id ?? (await t.db.insertInto('training_pay_months').values({ trainer_id: ids.trainer!, month, status: 'draft', total_cents: 0, created_at: new Date().toISOString(), updated_at: new Date().toISOString() }).returning('id').executeTakeFirstOrThrow()).id;
    expect((await staff.post(`/formation/paie/${payId}/heures`, { day: `${month}-01`, kind: 'prep', hours: '2,5', label: 'Préparation des exercices' })).status).toBe(302);
    expect((await staff.post(`/formation/paie/${payId}/valider`)).status).toBe(409); // declare first
    expect((await staff.post(`/formation/paie/${payId}/declarer`)).status).toBe(302);
    expect((await staff.post(`/formation/paie/${payId}/valider`)).status).toBe(302);
    const validated = await t.db.selectFrom('training_pay_months').selectAll().where('id', '=', payId).executeTakeFirstOrThrow();
    expect(validated.status).toBe('validated');
    expect(validated.entry_number).toMatch(/^AC/);
    const order = await t.db.selectFrom('accounting_payment_orders').selectAll().where('id', '=', validated.payment_order_id!).executeTakeFirstOrThrow();
    expect(Number(order.amount_cents)).toBe(validated.total_cents);
    expect(order.iban).toBe('FR7630006000011234567890189');
    const statement = await t.app.fastify.inject({ method: 'GET', url: `/formation/paie/${payId}/releve.pdf`, headers: { cookie: [...staff.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    const text = pdfText(statement.rawPayload);
    expect(text).toContain('Véronique Vacataire');
    expect(text).toContain('Total : 75,00 €');
  });

  it('reports: fill rate, revenue and margin per session, the BPF as page, CSV and PDF', async () => {
    const year = today.slice(0, 4);
    const csv = await staff.get(`/formation/bpf.csv?annee=${year}`);
    expect(csv.status).toBe(200);
    expect(csv.body).toMatch(/Stagiaires;1/);
    const pdf = await t.app.fastify.inject({ method: 'GET', url: `/formation/bpf.pdf?annee=${year}`, headers: { cookie: [...staff.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    const text = pdfText(pdf.rawPayload);
    expect(text).toContain(`Bilan pédagogique et financier ${year}`);
    expect(text).toContain('Nombre de stagiaires : 1');
    const sessions = await staff.get(`/formation/bilans/sessions.csv?annee=${year}`);
    expect(sessions.body).toContain('Excel : tableaux croisés dynamiques');
    expect((await staff.get('/formation/bilans?annee=deux')).status).toBe(400);
  });
});
