// Portal routes that span modules: home ("à traiter" from every module), global search across
// the modules' search providers, health check, accessibility statement.
import type { FastifyInstance } from 'fastify';
import { can } from '../access/index.js';
import { sql } from '../db/index.js';
import type { ConsulaireModule, ModuleContext, SearchHit, TodoItem } from '../module.js';
import { Page } from '../ui/layout.js';
import { formatDate } from '../i18n/index.js';

export function registerPortalRoutes(app: FastifyInstance, modules: readonly ConsulaireModule[], ctx: ModuleContext): void {
  // '/' is the public site's home, served by the content module (M7).

  app.get('/health', { config: { public: true } }, async (_req, reply) => {
    try {
      await sql`select 1`.execute(ctx.db);
      return { status: 'ok', database: 'ok', dialect: ctx.dialect };
    } catch {
      return reply.code(503).send({ status: 'degraded', database: 'unreachable' });
    }
  });

  app.get('/portail', { config: { permission: 'portal:use' } }, async (req, reply) => {
    const t = req.t;
    const todos: TodoItem[] = [];
    for (const m of modules) if (m.todo) todos.push(...(await m.todo(ctx, req.actor, req.t)));
    const view = req.view();
    const blocks = [];
    for (const m of modules) if (m.home) blocks.push(await m.home(ctx, view));
    return reply.render(
      <Page ctx={view} title={t('home.welcome', { name: req.user!.name })}>
        <h2>{t('home.todo')}</h2>
        {todos.length === 0 ? (
          <p class="empty">{t('home.todo_empty')}</p>
        ) : (
          <ul>
            {todos.map((x) => (
              <li>
                <a href={x.href}>{x.label}</a>
                {x.due ? <span class="muted"> — {formatDate(x.due, req.locale)}</span> : null}
              </li>
            ))}
          </ul>
        )}
        {blocks}
        <h2>{t('home.modules')}</h2>
        <ul class="cards">
          {view.nav.map((s) => (
            <li class="card">
              <h3>{s.label}</h3>
              <ul>
                {s.links.map((l) => (
                  <li>
                    <a href={l.href}>{l.label}</a>
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      </Page>,
    );
  });

  app.get('/recherche', { config: { permission: 'portal:use' } }, async (req, reply) => {
    const q = String((req.query as Record<string, unknown>).q ?? '').trim().slice(0, 200);
    const t = req.t;
    const groups: { kind: string; hits: SearchHit[] }[] = [];
    if (q.length >= 2) {
      for (const m of modules) {
        if (!m.search || !can(req.actor, m.search.permission)) continue;
        const hits = await m.search.search(ctx, req.actor, q, 10);
        if (hits.length) groups.push({ kind: m.name, hits });
      }
    }
    return reply.render(
      <Page ctx={req.view()} title={q ? t('search.results_for', { q }) : t('search.title')} crumbs={[{ label: t('app.home'), href: '/portail' }, { label: t('search.title') }]}>
        <form method="get" action="/recherche" role="search" class="toolbar">
          <div class="field">
            <label for="search-q">{t('app.search_label')}</label>
            <input id="search-q" type="search" name="q" value={q} />
          </div>
          <button type="submit">{t('app.search')}</button>
        </form>
        {q.length < 2 ? <p class="empty">{t('search.empty')}</p> : groups.length === 0 ? <p class="empty">{t('search.nothing', { q })}</p> : null}
        {groups.map((g) => (
          <section>
            <h2>{t(`nav.section.${g.kind}`)}</h2>
            <ul>
              {g.hits.map((h) => (
                <li>
                  <a href={h.href}>{h.title}</a> <span class="muted">{t(h.kind)}{h.subtitle ? ` · ${h.subtitle}` : ''}</span>
                </li>
              ))}
            </ul>
          </section>
        ))}
      </Page>,
    );
  });
}
