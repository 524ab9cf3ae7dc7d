// Extranet e-mails over a real SMTP exchange on loopback: the invitation link works once and
// only for its address; request notifications reach both sides with a link and no content.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agent, createTestApp, makeUser, type TestApp } from './helpers.js';
import { startSmtp, type Inbox } from './smtp.js';
import { makeCompany, makeMember, memberAgent } from './extranet-helpers.js';

let t: TestApp;
let inbox: Inbox;
beforeAll(async () => {
  inbox = await startSmtp();
  t = await createTestApp({ env: { SMTP_URL: inbox.url } });
});
afterAll(async () => {
  await t?.close();
  await inbox?.close();
});

const pathIn = (text: string) => text.match(/https?:\/\/[^/\s]+(\/\S+)/)![1];
async function deliver(n: number) {
  await t.app.jobs.tick();
  return inbox.waitFor(n);
}

describe('extranet e-mails over SMTP', () => {
  it('an invitation arrives by e-mail; its link activates the account once', async () => {
    const c = await makeCompany(t.db, 'Tissages du Forez');
    const staffUser = await makeUser(t.db, ['documentation']);
    const staff = agent(t);
    await staff.signIn(staffUser.email);
    const before = inbox.messages.length;
    expect((await staff.post('/gestion-extranet/invitations', { company_id: String(c.id), name: 'Agathe Forez', email: 'agathe@tissages.fr', role: 'administrator' })).status).toBe(302);
    const msgs = await deliver(before + 1);
    const mail = msgs.find((m) => (m.to as { text: string }).text.includes('agathe@tissages.fr'))!;
    expect(mail.subject).toContain('extranet');
    expect(mail.text).toContain('Tissages du Forez');
    const path = pathIn(mail.text!);
    const a = agent(t);
    expect((await a.post(path, { password: 'un fil de laine rouge', confirm: 'un fil de laine rouge' })).status).toBe(302);
    expect((await a.post(path, { password: 'un fil de laine rouge', confirm: 'un fil de laine rouge' })).status).toBe(410);
    const m = await memberAgent(t, 'agathe@tissages.fr', 'un fil de laine rouge');
    expect((await m.get('/extranet/mon-entreprise')).body).toContain('Tissages du Forez');
  });

  it('request notifications carry a link and never the content, to staff and to the member', async () => {
    const c = await makeCompany(t.db);
    const member = await makeMember(t.db, [c.id]);
    const staffUser = await makeUser(t.db, ['documentation']);
    const staff = agent(t);
    await staff.signIn(staffUser.email);
    const a = await memberAgent(t, member.email);
    const before = inbox.messages.length;
    const res = await a.post('/extranet/demandes', { category: 'international', subject: 'Projet Québec confidentiel', body: 'Nos marges sont de 37 %' });
    const id = Number(String(res.headers.location).split('/').pop());
    const msgs = await deliver(before + 1);
    const toStaff = msgs.slice(before).find((m) => (m.to as { text: string }).text.includes(staffUser.email))!;
    expect(toStaff.text).toContain(`/gestion-extranet/demandes/${id}`);
    for (const secret of ['Québec', '37 %', 'marges']) {
      expect(toStaff.text).not.toContain(secret);
      expect(toStaff.subject).not.toContain(secret);
    }
    const row = await t.db.selectFrom('member_requests').select('version').where('id', '=', id).executeTakeFirstOrThrow();
    const n = inbox.messages.length;
    expect((await staff.post(`/gestion-extranet/demandes/${id}/reponse`, { body: 'Réponse détaillée sur le Québec', status: 'waiting_member', version: String(row.version) })).status).toBe(302);
    const after = await deliver(n + 1);
    const toMember = after.slice(n).find((m) => (m.to as { text: string }).text.includes(member.email))!;
    expect(toMember.text).toContain(`/extranet/demandes/${id}`);
    expect(toMember.text).not.toContain('Québec');
    expect(toMember.subject).not.toContain('Québec');
  });
});
