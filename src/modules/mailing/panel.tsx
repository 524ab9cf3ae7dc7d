// The company page's "Mailings" block (registry record page, entity 'company'): letters and
// campaign e-mails sent to the company, for staff who prepare mailings.
import type { RecordPanel } from '../../platform/module.js';
import { companyMailings } from './letters.service.js';
import type { MailingDb } from './mailing.table.js';
import { mayWriteMailing } from './policy.js';

export const companyPanel: RecordPanel = {
  entity: 'company',
  order: 40,
  async render(ctx, view, companyId) {
    if (!mayWriteMailing(view.actor)) return null;
    const db: MailingDb = ctx.db;
    const items = await companyMailings(db, companyId);
    const t = view.t;
    return (
      <section class="panel mailing-panel" aria-labelledby="mailing-panel-title">
        <h2 id="mailing-panel-title">{t('mailing.panel.title')}</h2>
        {items.length === 0 ? (
          <p class="empty">{t('mailing.panel.none')}</p>
        ) : (
          <ul class="timeline">
            {items.map((i) => (
              <li>
                <span class="badge badge-neutral">{t(i.kind === 'letter' ? 'mailing.panel.letter' : 'mailing.panel.email')}</span> <a href={i.href}>{i.label}</a> <time dateTime={i.at}>{i.at.slice(0, 10)}</time>
              </li>
            ))}
          </ul>
        )}
      </section>
    );
  },
};
