// Content's activity figures for the statistics (ConsulaireModule.kpis): publications by kind.
import type { Kpi, KpiPeriod, ModuleContext } from '../../platform/module.js';
import type { ContentDb } from './content.table.js';

export async function contentKpis(ctx: ModuleContext, p: KpiPeriod): Promise<Kpi[]> {
  const db: ContentDb = ctx.reads;
  const rows = await db.selectFrom('content_live').select(['kind', (eb) => eb.fn.countAll().as('n')]).where('published_at', '>=', p.from).where('published_at', '<', p.to).groupBy('kind').execute();
  const of = (kind: string) => Number(rows.find((r) => r.kind === kind)?.n ?? 0);
  return [
    { key: 'content.publications', label: { fr: 'Publications', en: 'Publications' }, value: rows.reduce((a, r) => a + Number(r.n), 0) },
    { key: 'content.news', label: { fr: 'Actualités publiées', en: 'News published' }, value: of('news') },
    { key: 'content.events', label: { fr: 'Événements publiés', en: 'Events published' }, value: of('event') },
    { key: 'content.pages', label: { fr: 'Pages publiées', en: 'Pages published' }, value: of('page') },
  ];
}
