// Two instances on one PostgreSQL behind nginx (#20): one sign-in valid on both, a concurrent
// edit of the same record from both instances gives one success and one 409 (optimistic
// locking, no lost update), every queued mail leaves once although both instances run jobs,
// and mixed traffic through the proxy gets no error. Needs nginx (CI installs it: .ci/run).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../src/platform/audit/audit.js';
import { createUser } from '../src/platform/auth/users.js';
import { Mailer } from '../src/platform/mail/index.js';
import { onPostgres, testDatabase, type TestDatabase } from './helpers.js';
import { Browser, freePort, OPS_SECRET, ROOT, until } from './ops-helpers.js';
import { startSmtp, type Inbox } from './smtp.js';

const PASSWORD = 'a long instances password';

function hasNginx(): boolean {
  try {
    execFileSync('nginx', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const nginx = hasNginx();
if (onPostgres && !nginx && process.env.CI) throw new Error('nginx is required in CI for the two-instance test (.ci/run installs it)');
if (onPostgres && !nginx) console.warn('ops-instances: nginx is not installed here — the two-instance test is skipped (CI installs it)');




describe.skipIf(!onPostgres || !nginx)('two instances behind nginx, one PostgreSQL', () => {
  let tdb: TestDatabase;
  let inbox: Inbox;
  let dir: string;
  const children: ChildProcess[] = [];
  let ports: number[] = [];
  let proxy = '';
  let adminEmail = '';
  let victimId = 0;

  beforeAll(async () => {
    tdb = await testDatabase();
    inbox = await startSmtp();
    dir = mkdtempSync(path.join(tmpdir(), 'ops-instances-'));
    const admin = await createUser(tdb.db, SYSTEM_ACTOR, { email: 'admin@instances.test', name: 'Admin Instances', roles: ['admin'], password: PASSWORD });
    adminEmail = admin.email;
    victimId = (await createUser(tdb.db, SYSTEM_ACTOR, { email: 'victim@instances.test', name: 'Victime', roles: ['staff'], password: PASSWORD })).id;
    ports = [await freePort(), await freePort()];
    const nginxPort = await freePort();
    proxy = `http://127.0.0.1:${nginxPort}`;
    for (const port of ports) {
      const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: tdb.url, DATA_DIR: tdb.dataDir, PORT: String(port), SESSION_SECRET: OPS_SECRET, SMTP_URL: inbox.url, PUBLIC_URL: proxy, CONSULAIRE_DEMO: '0', LOG_LEVEL: 'warn' };
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve'], { cwd: ROOT, env, stdio: 'ignore' });
      children.push(child);
    }
    mkdirSync(path.join(dir, 'logs'));
    writeFileSync(
      path.join(dir, 'nginx.conf'),
      `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log warn;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream consulaire { server 127.0.0.1:${ports[0]}; server 127.0.0.1:${ports[1]}; keepalive 16; }
  server {
    listen 127.0.0.1:${nginxPort};
    location / {
      proxy_pass http://consulaire;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
    }
  }
}
`,
    );
    children.push(spawn('nginx', ['-p', dir, '-c', path.join(dir, 'nginx.conf')], { stdio: 'ignore' }));
    for (const port of ports) await until(`instance on ${port}`, async () => (await fetch(`http://127.0.0.1:${port}/ready`).catch(() => undefined))?.status === 200, 90_000);
    await until('nginx', async () => (await fetch(`${proxy}/health`).catch(() => undefined))?.status === 200);
  }, 150_000);

  afterAll(async () => {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.on('exit', r)) : undefined)));
    await inbox?.close();
    await tdb?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('one sign-in through the proxy is valid on both instances', async () => {
    const b = new Browser('');
    await b.request('GET', proxy + '/connexion');
    const signIn = await b.request('POST', proxy + '/connexion', { email: adminEmail, password: PASSWORD });
    expect(signIn.status).toBe(302);
    expect(b.cookies.has('sid')).toBe(true);
    for (const port of ports) {
      const page = await b.request('GET', `http://127.0.0.1:${port}` + '/portail');
      expect(page.status).toBe(200);
      expect(page.body).toContain('Admin Instances');
    }
  }, 60_000);

  it('the same record edited at once on both instances: one saved, the other 409, nothing lost', async () => {
    const b = new Browser('');
    await b.request('GET', proxy + '/connexion');
    await b.request('POST', proxy + '/connexion', { email: adminEmail, password: PASSWORD });
    const form = (name: string) => ({ name, email: 'victim@instances.test', roles: 'staff', version: '1' });
    const [one, two] = await Promise.all([
      b.request('POST', `http://127.0.0.1:${ports[0]}` + `/admin/utilisateurs/${victimId}`, form('Victime Une')),
      b.request('POST', `http://127.0.0.1:${ports[1]}` + `/admin/utilisateurs/${victimId}`, form('Victime Deux')),
    ]);
    expect([one.status, two.status].sort()).toEqual([302, 409]);
    const row = await tdb.db.selectFrom('users').select(['name', 'version']).where('id', '=', victimId).executeTakeFirstOrThrow();
    expect(row.version).toBe(2);
    expect(row.name).toBe(one.status === 302 ? 'Victime Une' : 'Victime Deux');
    const audits = await tdb.db.selectFrom('audit_log').select('id').where('entity', '=', 'user').where('entity_id', '=', String(victimId)).where('action', '=', 'update').execute();
    expect(audits).toHaveLength(1);
  }, 60_000);

  it('mails queued while both instances run jobs leave once each; mixed traffic through the proxy gets no error', async () => {
    const mailer = new Mailer(inbox.url, 'test@instances.test');
    for (let i = 0; i < 12; i++) await tdb.db.transaction().execute((trx) => mailer.queue(trx, { to: `r${i}@instances.test`, subject: `Once ${i}`, text: 'once' }));
    mailer.close();
    const b = new Browser('');
    await b.request('GET', proxy + '/connexion');
    await b.request('POST', proxy + '/connexion', { email: adminEmail, password: PASSWORD });
    const urls = ['/connexion', '/portail', '/health', '/ready', '/admin/utilisateurs', `/admin/utilisateurs/${victimId}`, '/static/app.css', '/no-such-page'];
    const statuses = await Promise.all(Array.from({ length: 160 }, (_, i) => b.request('GET', proxy + urls[i % urls.length]).then((r) => r.status)));
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.filter((s) => s === 404)).toHaveLength(20);
    const mails = await inbox.waitFor(12, 30_000);
    await new Promise((r) => setTimeout(r, 3000)); // a duplicate would arrive meanwhile
    const subjects = inbox.messages.map((m) => m.subject).filter((s) => s?.startsWith('Once '));
    expect(subjects).toHaveLength(12);
    expect(new Set(subjects).size).toBe(12);
    expect(mails.length).toBeGreaterThanOrEqual(12);
  }, 90_000);
});
