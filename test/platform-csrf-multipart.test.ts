// A form with files sends its CSRF token as its first field (never in the URL, where logs and
// Referer headers would carry it): the platform checks it before the handler reads any part.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directoryModule } from '../src/modules/directory/index.js';
import { extranetModule } from '../src/modules/extranet/index.js';
import { messagesModule } from '../src/modules/messages/index.js';
import { registryModule } from '../src/modules/registry/index.js';
import { crmModule } from '../src/modules/crm/index.js';
import { agent, count, createTestApp, makeUser, type Agent, type TestApp } from './helpers.js';
import { PDF } from './extranet-helpers.js';

let t: TestApp;
let a: Agent;
let colleague: number;

beforeAll(async () => {
  t = await createTestApp({ modules: [registryModule, crmModule, extranetModule, directoryModule, messagesModule] });
  const me = await makeUser(t.db, ['staff']);
  colleague = (await makeUser(t.db, ['staff'])).id;
  a = agent(t);
  await a.signIn(me.email);
});
afterAll(async () => t?.close());

/** A multipart body with its parts in the order given. */
function body(parts: ({ field: string; value: string } | { file: string; filename: string; data: Buffer })[]) {
  const boundary = '----csrf' + Math.random().toString(16).slice(2);
  const chunks: Buffer[] = [];
  for (const p of parts) {
    if ('field' in p) chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.field}"\r\n\r\n${p.value}\r\n`));
    else chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.file}"; filename="${p.filename}"\r\nContent-Type: application/pdf\r\n\r\n`), p.data, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

async function post(parts: Parameters<typeof body>[0]) {
  const { payload, contentType } = body(parts);
  const res = await t.app.fastify.inject({ method: 'POST', url: '/messages/nouveau', payload, headers: { 'content-type': contentType, cookie: [...a.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
  return res.statusCode;
}

describe('CSRF token of a multipart form', () => {
  const fields = () => [
    { field: 'kind', value: 'internal' },
    { field: 'subject', value: 'Pièce jointe' },
    { field: 'body', value: 'Voici le document' },
    { field: 'participants', value: String(colleague) },
  ];
  const file = { file: 'attachments', filename: 'doc.pdf', data: PDF };

  it('is accepted as the first field of the body, with no token in the URL or a header', async () => {
    await a.get('/messages');
    const before = await count(t.db, 'message_threads');
    expect(await post([{ field: '_csrf', value: a.csrf }, ...fields(), file])).toBe(302);
    expect(await count(t.db, 'message_threads')).toBe(before + 1);
    expect(await count(t.db, 'message_files')).toBe(1);
  });

  it('is refused (403, nothing written) when missing, wrong, or sent after other parts', async () => {
    const threads = await count(t.db, 'message_threads');
    const files = await count(t.db, 'message_files');
    expect(await post([...fields(), file])).toBe(403);
    expect(await post([{ field: '_csrf', value: 'x'.repeat(43) }, ...fields(), file])).toBe(403);
    expect(await post([...fields(), { field: '_csrf', value: a.csrf }, file])).toBe(403);
    expect(await post([file, { field: '_csrf', value: a.csrf }, ...fields()])).toBe(403);
    expect(await count(t.db, 'message_threads')).toBe(threads);
    expect(await count(t.db, 'message_files')).toBe(files);
  });

  it('forms with files no longer put the token in their address', async () => {
    const page = await a.get('/messages/nouveau');
    expect(page.body).toContain('enctype="multipart/form-data"');
    expect(page.body).not.toMatch(/action="[^"]*_csrf=/);
  });
});
