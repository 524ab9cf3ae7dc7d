// Fault test (#20): a full disk under uploads. The folders where uploads are kept
// (DATA_DIR/content-files — documents, request attachments, receipts, shared files — and
// DATA_DIR/directory-photos) are each a real 1 MiB tmpfs, nearly filled; the database stays on
// the ordinary disk. An upload that does not fit answers 507 with a French or English message,
// leaves no partial file and no row pointing to one; once space is freed the same upload works.
// Needs root to mount (DISK_FULL_TEST=1: .ci/run's last step, as root). Backups on a full disk:
// test/ops-backup.test.ts ('a full disk', a real 64 KiB tmpfs when run as root).
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { permissionsOf } from '../src/platform/access/permissions.js';
import { SYSTEM_ACTOR, type Actor } from '../src/platform/audit/audit.js';
import { setManager, type User } from '../src/platform/auth/users.js';
import type { ApprovalsDb } from '../src/modules/approvals/approvals.table.js';
import { createType } from '../src/modules/approvals/types.service.js';
import { agent, count, createTestApp, makeUser, type Agent, type TestApp } from './helpers.js';
import { multipart } from './content-helpers.js';

const gated = process.env.DISK_FULL_TEST === '1';
const SIZE = 1024 * 1024;
const FR = 'Le serveur n’a plus de place pour enregistrer ce fichier';
const EN = 'The server has no room left to store this file';

describe.skipIf(!gated)('a full disk under uploads (real tmpfs)', () => {
  let t: TestApp;
  let staff: User;
  let staffA: Agent;
  const mounts: string[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    for (const name of ['content-files', 'directory-photos']) {
      const dir = path.join(t.database.dataDir, name);
      mkdirSync(dir, { recursive: true });
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${SIZE}`, 'tmpfs', dir]);
      mounts.push(dir);
    }
    const hr = await makeUser(t.db, ['hr']);
    const boss = await makeUser(t.db, ['manager']);
    staff = await makeUser(t.db, ['staff']);
    await setManager(t.db, SYSTEM_ACTOR, staff.id, boss.id);
    const hrActor: Actor = { id: hr.id, label: hr.email, kind: 'staff', roles: ['hr'], permissions: permissionsOf(['hr']) };
    const db: ApprovalsDb = t.db;
    await db.transaction().execute((trx) =>
      createType(trx, hrActor, {
        code: 'materiel',
        name_fr: 'Matériel',
        name_en: 'Equipment',
        definition: {
          fields: [
            { name: 'objet', label: { fr: 'Objet', en: 'Item' }, kind: 'text', required: true },
            { name: 'devis', label: { fr: 'Devis', en: 'Quote' }, kind: 'attachment', required: true },
          ],
          steps: [{ id: 'manager', mode: 'any', approvers: [{ kind: 'manager' }] }],
          options: {},
        },
      }),
    );
    staffA = agent(t);
    await staffA.signIn(staff.email);
  }, 60_000);

  afterAll(async () => {
    for (const dir of mounts) execFileSync('umount', [dir]);
    await t?.close();
  });

  /** Leaves `free` bytes in the tmpfs at `dir` with a filler file. */
  function fill(dir: string, free: number): string {
    const filler = path.join(dir, 'filler');
    writeFileSync(filler, Buffer.alloc(SIZE - free));
    return filler;
  }

  async function post(url: string, fields: Record<string, string>, file: { name: string; filename: string; bytes: Buffer }, lang?: string) {
    const body = multipart(fields, file);
    const jar = new Map(staffA.cookies);
    if (lang) jar.set('lang', lang);
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await t.app.fastify.inject({ method: 'POST', url: `${url}?_csrf=${encodeURIComponent(staffA.csrf)}`, headers: { ...body.headers, cookie }, payload: body.payload });
    return { status: res.statusCode, body: res.body, location: res.headers.location };
  }

  it('a request attachment (content storage): 507 in French and English, no partial file, no row; works once space is freed', async () => {
    const dir = mounts[0];
    const filler = fill(dir, 64 * 1024);
    // 300 KB: a quarter fits before the device is full — what a direct write would leave behind.
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(300 * 1024)]);
    const requests = await count(t.db, 'approval_requests');
    const audit = await count(t.db, 'audit_log');
    for (const lang of [undefined, 'en']) {
      const res = await post('/demandes/nouvelle/materiel', { objet: 'Écran', _submit: '1' }, { name: 'devis', filename: 'devis.pdf', bytes: pdf }, lang);
      expect(res.status).toBe(507);
      expect(res.body).toContain(lang === 'en' ? EN : FR);
      expect(res.body).not.toMatch(/ENOSPC|at \S+ \(/);
    }
    expect(readdirSync(dir)).toEqual(['filler']);
    expect(await count(t.db, 'approval_requests')).toBe(requests);
    expect(await count(t.db, 'audit_log')).toBe(audit);

    rmSync(filler);
    const ok = await post('/demandes/nouvelle/materiel', { objet: 'Écran', _submit: '1' }, { name: 'devis', filename: 'devis.pdf', bytes: pdf });
    expect(ok.status).toBe(302);
    expect(await count(t.db, 'approval_requests')).toBe(requests + 1);
    const key = `${createHash('sha256').update(pdf).digest('hex')}.pdf`;
    expect(readdirSync(dir)).toEqual([key]);
    expect(readFileSync(path.join(dir, key)).equals(pdf)).toBe(true);
    const id = Number(String(ok.location).split('/').pop());
    const served = await t.app.fastify.inject({ url: `/demandes/${id}/pieces/devis`, headers: { cookie: [...staffA.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    expect(served.statusCode).toBe(200);
    expect(served.rawPayload.equals(pdf)).toBe(true);
  }, 30_000);

  it('a directory photo: 507, the profile keeps no photo and the folder no partial file; works once space is freed', async () => {
    const dir = mounts[1];
    // Noise does not compress: the 256 px WebP is tens of KB, more than the 8 KB left.
    const png = await sharp(randomBytes(512 * 512 * 3), { raw: { width: 512, height: 512, channels: 3 } }).png().toBuffer();
    const filler = fill(dir, 8 * 1024);
    const res = await post(`/annuaire/personnes/${staff.id}/photo`, {}, { name: 'photo', filename: 'moi.png', bytes: png });
    expect(res.status).toBe(507);
    expect(res.body).toContain(FR);
    expect(readdirSync(dir)).toEqual(['filler']);
    const profile = await t.db.selectFrom('directory_profiles').select('photo_key').where('user_id', '=', staff.id).executeTakeFirst();
    expect(profile?.photo_key ?? null).toBeNull();

    rmSync(filler);
    const ok = await post(`/annuaire/personnes/${staff.id}/photo`, {}, { name: 'photo', filename: 'moi.png', bytes: png });
    expect(ok.status).toBe(302);
    const after = await t.db.selectFrom('directory_profiles').select('photo_key').where('user_id', '=', staff.id).executeTakeFirstOrThrow();
    expect(readdirSync(dir)).toEqual([after.photo_key]);
    const stored = readFileSync(path.join(dir, after.photo_key!));
    expect(`${createHash('sha256').update(stored).digest('hex')}.webp`).toBe(after.photo_key);
    expect(statSync(path.join(dir, after.photo_key!)).size).toBeGreaterThan(8 * 1024);
  }, 30_000);
});
