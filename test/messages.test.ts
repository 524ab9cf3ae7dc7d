// Messages on both databases: conversations between staff and with member companies, who sees
// what (participants, assignees, services, confidential, company isolation), read marks,
// attachments, notifications over real SMTP that carry a link and never the content, bad input
// refused with nothing written, the member's follow-up and the company page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crmModule } from '../src/modules/crm/index.js';
import { directoryModule } from '../src/modules/directory/index.js';
import { extranetModule } from '../src/modules/extranet/index.js';
import { messagesModule } from '../src/modules/messages/index.js';
import { MEMBER_THREADS_PER_HOUR } from '../src/modules/messages/messages.service.js';
import { registryModule } from '../src/modules/registry/index.js';
import { agent, count, createTestApp, makeUser, type Agent, type TestApp } from './helpers.js';
import { makeCompany, makeMember, memberAgent, PDF, postMultipart, type TestCompany } from './extranet-helpers.js';
import { startSmtp, type Inbox } from './smtp.js';

let t: TestApp;
let inbox: Inbox;
let direction: Agent;
let adviser: Agent;
let otherAdviser: Agent;
let clerk: Agent;
let serviceMate: Agent;
let member: Agent;
let otherMember: Agent;
let ids: Record<string, number>;
let emails: Record<string, string>;
let acme: TestCompany;
let rival: TestCompany;
let memberEmail: string;

const threadIdOf = (location: unknown) => Number(/\/messages\/(\d+)/.exec(String(location))?.[1]);
/** Runs the queued mail jobs, then waits for the loopback server to hold `n` messages. */
const delivered = async (n: number) => {
  await t.app.jobs.tick();
  return inbox.waitFor(n);
};
const mailsTo = (address: string) => inbox.messages.filter((m) => (Array.isArray(m.to) ? m.to : [m.to]).some((to) => to?.text.includes(address)));

beforeAll(async () => {
  inbox = await startSmtp();
  t = await createTestApp({ env: { SMTP_URL: inbox.url }, modules: [registryModule, crmModule, extranetModule, directoryModule, messagesModule] });
  const users = {
    direction: await makeUser(t.db, ['direction'], { name: 'Diane Direction' }),
    adviser: await makeUser(t.db, ['adviser'], { name: 'Alain Conseil' }),
    otherAdviser: await makeUser(t.db, ['adviser'], { name: 'Odile Conseil' }),
    clerk: await makeUser(t.db, ['staff'], { name: 'Claire Agent' }),
    serviceMate: await makeUser(t.db, ['staff'], { name: 'Serge Service' }),
  };
  ids = Object.fromEntries(Object.entries(users).map(([k, u]) => [k, u.id]));
  emails = Object.fromEntries(Object.entries(users).map(([k, u]) => [k, u.email]));
  // A service with Serge in it (the directory's profile says which service one belongs to).
  const now = new Date().toISOString();
  const service = await t.db.insertInto('directory_services').values({ name: 'Appui aux entreprises', parent_id: null, head_user_id: null, description: '', email: null, phone: null, position: 1, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
  ids.service = Number(service.id);
  await t.db.insertInto('directory_profiles').values({ user_id: users.serviceMate.id, service_id: ids.service, job_title: '', phone: null, mobile: null, office: null, skills: '', search_text: '', photo_key: null, photo_updated_at: null, created_at: now, updated_at: now }).execute();
  const sign = async (email: string) => {
    const a = agent(t);
    await a.signIn(email);
    return a;
  };
  [direction, adviser, otherAdviser, clerk, serviceMate] = await Promise.all([sign(users.direction.email), sign(users.adviser.email), sign(users.otherAdviser.email), sign(users.clerk.email), sign(users.serviceMate.email)]);
  acme = await makeCompany(t.db, 'ACME Industrie');
  rival = await makeCompany(t.db, 'Rival SA');
  const m = await makeMember(t.db, [acme.id]);
  memberEmail = m.email;
  member = await memberAgent(t, m.email);
  otherMember = await memberAgent(t, (await makeMember(t.db, [rival.id])).email);
});
afterAll(async () => {
  await t?.close();
  await inbox?.close();
});

describe('between staff', () => {
  let threadId: number;

  it('starts a conversation with colleagues; they are told by a mail that links back without the content', async () => {
    const before = inbox.messages.length;
    const res = await direction.post('/messages/nouveau', { kind: 'internal', subject: 'Budget du salon', body: 'Le détail secret du budget', participants: [String(ids.adviser), String(ids.clerk)] });
    expect(res.status).toBe(302);
    threadId = threadIdOf(res.headers.location);
    expect(threadId).toBeGreaterThan(0);
    await delivered(before + 2);
    const mail = mailsTo(emails.adviser).at(-1)!;
    expect(mail.subject).toBe('Nouveau message : Budget du salon');
    expect(mail.text).toContain(`/messages/${threadId}`);
    expect(mail.text).not.toContain('secret');
    expect(mailsTo(emails.direction)).toHaveLength(0); // never the author
    const audit = await t.db.selectFrom('audit_log').select(['action', 'changes']).where('entity', '=', 'message_thread').where('entity_id', '=', String(threadId)).execute();
    expect(audit.map((a) => a.action)).toEqual(['create']);
    expect(audit[0].changes).not.toContain('secret');
  });

  it('shows it unread to a participant until opened, and to nobody else', async () => {
    let list = await adviser.get('/messages?boite=all&non-lus=1');
    expect(list.body).toContain('Budget du salon');
    expect((await adviser.get(`/messages/${threadId}`)).status).toBe(200);
    list = await adviser.get('/messages?boite=all&non-lus=1');
    expect(list.body).not.toContain('Budget du salon');
    // Not a participant, not assigned: neither in the list nor on the page (404, like no such conversation).
    expect((await otherAdviser.get('/messages')).body).not.toContain('Budget du salon');
    expect((await otherAdviser.get(`/messages/${threadId}`)).status).toBe(404);
    expect((await serviceMate.post(`/messages/${threadId}/repondre`, { body: 'intrus' })).status).toBe(404);
  });

  it('a reply reaches the other participants; assigning to a service lets its members in', async () => {
    const before = inbox.messages.length;
    expect((await adviser.post(`/messages/${threadId}/repondre`, { body: 'Voici mes chiffres' })).status).toBe(302);
    await delivered(before + 2);
    expect(mailsTo(emails.direction).length).toBe(1);
    expect((await direction.get('/messages?boite=all&non-lus=1')).body).toContain('Budget du salon');
    expect((await direction.post(`/messages/${threadId}/attribuer`, { assignee: `s:${ids.service}` })).status).toBe(302);
    expect((await serviceMate.get('/messages?boite=service')).body).toContain('Budget du salon');
    expect((await serviceMate.get(`/messages/${threadId}`)).status).toBe(200);
    // A colleague added later sees it too.
    expect((await direction.post(`/messages/${threadId}/participants`, { user_id: String(ids.otherAdviser) })).status).toBe(302);
    expect((await otherAdviser.get(`/messages/${threadId}`)).status).toBe(200);
  });

  it('closes and reopens; a reply to a closed conversation reopens it', async () => {
    expect((await direction.post(`/messages/${threadId}/fermer`)).status).toBe(302);
    expect((await t.db.selectFrom('message_threads').select('status').where('id', '=', threadId).executeTakeFirstOrThrow()).status).toBe('closed');
    await adviser.post(`/messages/${threadId}/repondre`, { body: 'Une dernière chose' });
    expect((await t.db.selectFrom('message_threads').select('status').where('id', '=', threadId).executeTakeFirstOrThrow()).status).toBe('open');
    const actions = (await t.db.selectFrom('audit_log').select('action').where('entity', '=', 'message_thread').where('entity_id', '=', String(threadId)).orderBy('id').execute()).map((a) => a.action);
    expect(actions).toEqual(['create', 'post', 'assign', 'add_participant', 'close', 'post']);
  });

  it('a confidential conversation is told without its subject', async () => {
    const before = inbox.messages.length;
    const res = await direction.post('/messages/nouveau', { kind: 'internal', subject: 'Réorganisation du pôle', body: 'x', participants: [String(ids.clerk)], confidential: '1' });
    expect(res.status).toBe(302);
    await delivered(before + 1);
    const mail = mailsTo(emails.clerk).at(-1)!;
    expect(mail.subject).toBe('Nouveau message dans une conversation confidentielle');
    expect(mail.text).not.toContain('Réorganisation');
  });

  it('refuses bad input with the field named, writing nothing', async () => {
    const threads = await count(t.db, 'message_threads');
    const posts = await count(t.db, 'message_posts');
    const cases: [Record<string, string | string[]>, string][] = [
      [{ kind: 'internal', subject: '', body: 'b', participants: [String(ids.clerk)] }, 'f-subject-error'],
      [{ kind: 'internal', subject: 'a\r\nBcc: x@evil.test', body: 'b', participants: [String(ids.clerk)] }, 'f-subject-error'],
      [{ kind: 'internal', subject: 's', body: '   ', participants: [String(ids.clerk)] }, 'f-body-error'],
      [{ kind: 'internal', subject: 's', body: 'b' }, 'f-participants-error'],
      [{ kind: 'internal', subject: 's', body: 'b', participants: ['999999'] }, 'f-participants-error'],
      [{ kind: 'internal', subject: 's', body: 'b', participants: ['abc'] }, 'f-participants-error'],
      [{ kind: 'company', subject: 's', body: 'b', company: '123' }, 'f-company-error'],
      [{ kind: 'company', subject: 's', body: 'b', company: '999999999' }, 'f-company-error'],
    ];
    for (const [form, errorId] of cases) {
      const res = await direction.post('/messages/nouveau', form);
      expect(res.status, JSON.stringify(form)).toBe(422);
      expect(res.body).toContain(errorId);
    }
    // An unknown field is refused outright (no mass assignment).
    expect((await direction.post('/messages/nouveau', { kind: 'internal', subject: 's', body: 'b', participants: [String(ids.clerk)], status: 'closed' })).status).toBe(403);
    // A plain staff member cannot write to a company.
    expect((await clerk.post('/messages/nouveau', { kind: 'company', subject: 's', body: 'b', company: acme.siret })).status).toBe(403);
    expect(await count(t.db, 'message_threads')).toBe(threads);
    expect(await count(t.db, 'message_posts')).toBe(posts);
  });
});

describe('with a member company', () => {
  let threadId: number;

  it('an adviser writes to a company by SIREN; its members are told (link only) and read it on the extranet', async () => {
    const before = inbox.messages.length;
    const res = await adviser.post('/messages/nouveau', { kind: 'company', subject: 'Pièces pour votre dossier', body: 'Merci d’envoyer votre bilan confidentiel', company: acme.siret });
    expect(res.status).toBe(302);
    threadId = threadIdOf(res.headers.location);
    await delivered(before + 1);
    const mail = mailsTo(memberEmail).at(-1)!;
    expect(mail.subject).toBe('Nouveau message de la CCI');
    expect(mail.text).toContain(`/extranet/messages/${threadId}`);
    expect(mail.text).not.toContain('Pièces');
    expect(mail.text).not.toContain('bilan');
    const list = await member.get('/extranet/messages');
    expect(list.status).toBe(200);
    expect(list.body).toContain('Pièces pour votre dossier');
    const page = await member.get(`/extranet/messages/${threadId}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('bilan confidentiel');
    expect(page.body).toContain('Alain Conseil (CCI)');
    // The link is in the member navigation.
    expect(page.body).toContain('href="/extranet/messages"');
  });

  it('another company never sees it: not listed, 404 on the page, on a reply and on its files', async () => {
    expect((await otherMember.get('/extranet/messages')).body).not.toContain('Pièces pour votre dossier');
    expect((await otherMember.get(`/extranet/messages/${threadId}`)).status).toBe(404);
    expect((await otherMember.post(`/extranet/messages/${threadId}/repondre`, { body: 'x' })).status).toBe(404);
    expect(await count(t.db, 'message_posts', ['thread_id', threadId])).toBe(1);
  });

  it('the member answers with a PDF; the adviser is told and downloads it as an attachment that cannot run', async () => {
    const before = inbox.messages.length;
    const res = await postMultipart(t, member, `/extranet/messages/${threadId}/repondre`, { body: 'Voici le bilan' }, [{ name: 'attachments', filename: 'bilan.pdf', type: 'application/pdf', data: PDF }]);
    expect(res.status).toBe(302);
    await delivered(before + 1);
    expect(mailsTo(emails.adviser).at(-1)!.text).toContain(`/messages/${threadId}`);
    const file = await t.db.selectFrom('message_files').select('id').where('thread_id', '=', threadId).executeTakeFirstOrThrow();
    const dl = await adviser.get(`/messages/${threadId}/fichiers/${file.id}`);
    expect(dl.status).toBe(200);
    expect(dl.headers['content-type']).toBe('application/pdf');
    expect(String(dl.headers['content-disposition'])).toContain('attachment');
    expect(String(dl.headers['content-security-policy'])).toContain('sandbox');
    expect((await otherMember.get(`/extranet/messages/${threadId}/fichiers/${file.id}`)).status).toBe(404);
    expect((await member.get(`/extranet/messages/${threadId}/fichiers/${file.id}`)).status).toBe(200);
  });

  it('refuses a file that is not a document, writing nothing', async () => {
    const posts = await count(t.db, 'message_posts');
    const res = await postMultipart(t, member, `/extranet/messages/${threadId}/repondre`, { body: 'avec un exécutable' }, [{ name: 'attachments', filename: 'facture.pdf', type: 'application/pdf', data: Buffer.from('MZ\x90\x00not a pdf') }]);
    expect(res.status).toBe(422);
    expect(await count(t.db, 'message_posts')).toBe(posts);
  });

  it('appears in the member follow-up and on the company page for staff', async () => {
    const suivi = await member.get('/extranet/suivi');
    expect(suivi.status).toBe(200);
    expect(suivi.body).toContain('Pièces pour votre dossier');
    expect(suivi.body).toContain(`href="/extranet/messages/${threadId}"`);
    expect((await otherMember.get('/extranet/suivi')).body).not.toContain('Pièces pour votre dossier');
    const page = await otherAdviser.get(`/registre/entreprises/${acme.id}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain(`href="/messages/${threadId}"`);
    expect(page.body).toContain(`/messages/nouveau?entreprise=${acme.id}`);
  });

  it('a member’s new conversation waits to be assigned; those who answer companies see it, plain staff do not', async () => {
    const res = await member.post('/extranet/messages/nouveau', { subject: 'Question formation export', body: 'Bonjour' });
    expect(res.status).toBe(302);
    const id = threadIdOf(res.headers.location);
    expect((await adviser.get('/messages?boite=unassigned')).body).toContain('Question formation export');
    expect((await adviser.get('/portail')).body).toContain('/messages?boite=unassigned');
    expect((await clerk.get(`/messages/${id}`)).status).toBe(404);
    expect((await adviser.post(`/messages/${id}/attribuer`, { assignee: `u:${ids.otherAdviser}` })).status).toBe(302);
    expect((await otherAdviser.get('/messages?boite=assigned')).body).toContain('Question formation export');
    expect((await adviser.get('/messages?boite=unassigned')).body).not.toContain('Question formation export');
    expect((await adviser.post(`/messages/${id}/attribuer`, { assignee: 'x:1' })).status).toBe(422);
  });

  it('a confidential company conversation stays with its participants', async () => {
    const res = await adviser.post('/messages/nouveau', { kind: 'company', subject: 'Difficultés de trésorerie', body: 'Entre nous', company: acme.siret, confidential: '1' });
    const id = threadIdOf(res.headers.location);
    expect((await otherAdviser.get(`/messages/${id}`)).status).toBe(404);
    expect((await otherAdviser.get('/messages?boite=companies')).body).not.toContain('Difficultés de trésorerie');
    expect((await otherAdviser.get(`/registre/entreprises/${acme.id}`)).body).not.toContain('Difficultés de trésorerie');
    // The company's members read it: it is theirs.
    expect((await member.get(`/extranet/messages/${id}`)).status).toBe(200);
  });

  it('limits the conversations a member account opens in an hour (429), writing nothing past the limit', async () => {
    const m = await makeMember(t.db, [rival.id]);
    const a = await memberAgent(t, m.email);
    for (let i = 0; i < MEMBER_THREADS_PER_HOUR; i++) expect((await a.post('/extranet/messages/nouveau', { subject: `Q${i}`, body: 'b' })).status).toBe(302);
    const threads = await count(t.db, 'message_threads');
    expect((await a.post('/extranet/messages/nouveau', { subject: 'encore', body: 'b' })).status).toBe(429);
    expect(await count(t.db, 'message_threads')).toBe(threads);
  });
});
