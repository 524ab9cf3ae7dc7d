// Factories for the extranet tests: companies in the register (inserted directly, as the
// registry's own tests do), member accounts with memberships, signed-in member agents.
import { hashPassword } from '../src/platform/auth/password.js';
import type { AnyDb } from '../src/platform/db/index.js';
import { agent, PASSWORD, type Agent, type TestApp } from './helpers.js';

let seq = 0;

/** Luhn-valid 14-digit SIRET built from a counter. */
export function siretFor(n: number): string {
  const base = String(100000000 + n).slice(0, 9) + String(n % 10000).padStart(4, "0");
  for (let d = 0; d < 10; d++) {
    const s = base + d;
    let sum = 0;
    for (let i = 0; i < 14; i++) {
      let v = Number(s[13 - i]);
      if (i % 2 === 1) {
        v *= 2;
        if (v > 9) v -= 9;
      }
      sum += v;
    }
    if (sum % 10 === 0) return s;
  }
  throw new Error('unreachable');
}

export interface TestCompany {
  id: number;
  name: string;
  siret: string;
}

export async function makeCompany(db: AnyDb, name?: string): Promise<TestCompany> {
  seq++;
  const now = new Date().toISOString();
  const siret = siretFor(seq + Math.floor(Math.random() * 1000) * 1000);
  const c = await db
    .insertInto('companies')
    .values({ siren: siret.slice(0, 9), name: name ?? `Entreprise ${seq}`, status: 'active', diffusion: 'public', source: 'manual', phone: '04 77 00 00 00', website: 'https://avant.example.fr', created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('establishments')
    .values({
      siret,
      company_id: c.id,
      nic: siret.slice(9),
      is_head_office: 1,
      status: 'active',
      diffusion: 'public',
      sort_name: name ?? `Entreprise ${seq}`,
      search_text: '',
      street_number: '1',
      street_type: 'RUE',
      street_name: 'DE LA PAIX',
      postal_code: '42000',
      commune_code: '42218',
      city: 'SAINT-ETIENNE',
      created_at: now,
      updated_at: now,
    })
    .execute();
  return { id: Number(c.id), name: name ?? `Entreprise ${seq}`, siret };
}

export async function makeContact(db: AnyDb, companyId: number, lastName = 'Contact'): Promise<number> {
  const now = new Date().toISOString();
  const r = await db
    .insertInto('contacts')
    .values({ company_id: companyId, first_name: 'Paul', last_name: lastName, email: `${lastName.toLowerCase()}-${companyId}@exemple.fr`, is_officer: 0, consent: 'unknown', created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(r.id);
}

export interface TestMember {
  id: number;
  email: string;
}

export async function makeMember(db: AnyDb, companyIds: number[], role: 'administrator' | 'member' = 'administrator', email?: string): Promise<TestMember> {
  seq++;
  const now = new Date().toISOString();
  const address = email ?? `membre${seq}-${Math.random().toString(36).slice(2, 7)}@entreprise.fr`;
  const a = await db
    .insertInto('member_accounts')
    .values({ email: address, name: `Membre ${seq}`, password_hash: await hashPassword(PASSWORD), status: 'active', locale: 'fr', totp_enabled: 0, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const companyId of companyIds) {
    await db.insertInto('member_memberships').values({ account_id: a.id, company_id: companyId, role, status: 'active', origin: 'staff_invitation', created_at: now, updated_at: now }).execute();
  }
  return { id: Number(a.id), email: address };
}

/** A browser-like agent signed in to the extranet. */
export async function memberAgent(t: TestApp, email: string, password = PASSWORD): Promise<Agent> {
  const a = agent(t);
  await a.get('/extranet/connexion');
  const res = await a.post('/extranet/connexion', { email, password });
  if (res.status !== 302) throw new Error(`member sign-in failed: ${res.status}`);
  return a;
}

/** A multipart body (what a browser sends for a form with files). */
export function multipart(fields: Record<string, string>, files: { name: string; filename: string; type: string; data: Buffer }[] = []): { body: Buffer; contentType: string } {
  const boundary = '----extranet' + Math.random().toString(16).slice(2);
  const chunks: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  for (const f of files) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${f.name}"; filename="${f.filename}"\r\nContent-Type: ${f.type}\r\n\r\n`));
    chunks.push(f.data, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Posts a multipart form with the agent's cookies and CSRF token. */
export async function postMultipart(t: TestApp, a: Agent, url: string, fields: Record<string, string>, files: Parameters<typeof multipart>[1] = []) {
  const { body, contentType } = multipart(fields, files);
  const res = await t.app.fastify.inject({
    method: 'POST',
    url,
    payload: body,
    headers: { 'content-type': contentType, cookie: [...a.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'x-csrf-token': a.csrf },
  });
  return { status: res.statusCode, body: res.body, headers: res.headers };
}

export const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
export const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(32, 1)]);
