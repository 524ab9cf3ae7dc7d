// CRM settings: visit topics, the services catalogue, the pipeline stages. One small form per row.
import type { ComponentChildren } from 'preact';
import { ErrorSummary, type Errors } from '../../../platform/ui/components.js';
import { CsrfField, Page } from '../../../platform/ui/layout.js';
import type { ViewContext } from '../../../platform/ui/view-context.js';
import type { ServiceRow, StageRow, TopicRow } from '../crm.table.js';
import { centsToInput } from '../money.js';
import { crmCrumbs } from './common.js';

function Input({ id, name, label, value, type = 'text', size }: { id: string; name: string; label: string; value?: string | number; type?: 'text' | 'number'; size?: number }) {
  return (
    <span class="crm-cell">
      <label for={id} class="crm-inline-label">
        {label}
      </label>
X
    </span>
  );
}

function Active({ id, checked, label }: { id: string; checked: boolean; label: string }) {
  return (
    <span class="crm-cell choice">
      <input type="checkbox" id={id} name="active" value="1" checked={checked} />
      <label for={id}>{label}</label>
    </span>
  );
}

function RowForm({ ctx, action, version, children }: { ctx: ViewContext; action: string; version?: number; children: ComponentChildren }) {
  return (
    <form method="post" action={action} class="crm-row-form">
      <CsrfField ctx={ctx} />
      {version !== undefined ? <input type="hidden" name="version" value={String(version)} /> : null}
      {children}
      <button type="submit" class="button button-secondary">
        {version !== undefined ? ctx.t('common.save') : ctx.t('common.create')}
      </button>
    </form>
  );
}

function KindSelect({ ctx, id, value }: { ctx: ViewContext; id: string; value: string }) {
  return (
    <span class="crm-cell">
      <label for={id} class="crm-inline-label">
        {ctx.t('crm.settings.kind')}
      </label>
      <select id={id} name="kind">
        {['open', 'won', 'lost'].map((k) => (
          <option value={k} selected={k === value}>
            {ctx.t(`crm.deal.status_${k}`)}
          </option>
        ))}
      </select>
    </span>
  );
}

export function SettingsPage({ ctx, topics, services, stages, errors }: { ctx: ViewContext; topics: TopicRow[]; services: ServiceRow[]; stages: StageRow[]; errors?: Errors }) {
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('crm.settings.title')} crumbs={crmCrumbs(ctx, { label: t('crm.settings.title') })}>
      <ErrorSummary ctx={ctx} errors={errors} />
      <h2>{t('crm.settings.topics')}</h2>
      <ul class="crm-rows">
        {topics.map((x) => (
          <li>
            <RowForm ctx={ctx} action={`/crm/parametres/sujets/${x.id}`} version={x.version}>
              <span class="crm-cell">
                <code>{x.code}</code>
              </span>
              <Input id={`topic-${x.id}-label`} name="label" label={t('crm.settings.label')} value={x.label} />
              <Input id={`topic-${x.id}-pos`} name="position" type="number" label={t('crm.settings.position')} value={x.position} size={3} />
              <Active id={`topic-${x.id}-active`} checked={x.active === 1} label={t('crm.settings.active')} />
            </RowForm>
          </li>
        ))}
        <li>
          <RowForm ctx={ctx} action="/crm/parametres/sujets">
            <Input id="topic-new-code" name="code" label={t('crm.settings.code')} />
            <Input id="topic-new-label" name="label" label={t('crm.settings.label')} />
            <Input id="topic-new-pos" name="position" type="number" label={t('crm.settings.position')} value={topics.length + 1} size={3} />
            <input type="hidden" name="active" value="1" />
          </RowForm>
        </li>
      </ul>

      <h2>{t('crm.settings.services')}</h2>
      <ul class="crm-rows">
        {services.map((x) => (
          <li>
            <RowForm ctx={ctx} action={`/crm/parametres/prestations/${x.id}`} version={x.version}>
              <Input id={`svc-${x.id}-name`} name="name" label={t('crm.settings.name')} value={x.name} />
              <Input id={`svc-${x.id}-family`} name="family" label={t('crm.settings.family')} value={x.family} />
              <Input id={`svc-${x.id}-price`} name="unit_price" label={t('crm.settings.unit_price')} value={centsToInput(Number(x.unit_price_cents))} size={10} />
              <Active id={`svc-${x.id}-active`} checked={x.active === 1} label={t('crm.settings.active')} />
            </RowForm>
          </li>
        ))}
        <li>
          <RowForm ctx={ctx} action="/crm/parametres/prestations">
            <Input id="svc-new-name" name="name" label={t('crm.settings.name')} />
            <Input id="svc-new-family" name="family" label={t('crm.settings.family')} />
            <Input id="svc-new-price" name="unit_price" label={t('crm.settings.unit_price')} size={10} />
            <input type="hidden" name="active" value="1" />
          </RowForm>
        </li>
      </ul>

      <h2>{t('crm.settings.stages')}</h2>
      <ul class="crm-rows">
        {stages.map((x) => (
          <li>
            <RowForm ctx={ctx} action={`/crm/parametres/etapes/${x.id}`} version={x.version}>
              <span class="crm-cell">
                <code>{x.code}</code>
              </span>
              <Input id={`stage-${x.id}-label`} name="label" label={t('crm.settings.label')} value={x.label} />
              <Input id={`stage-${x.id}-pos`} name="position" type="number" label={t('crm.settings.position')} value={x.position} size={3} />
              <KindSelect ctx={ctx} id={`stage-${x.id}-kind`} value={x.kind} />
              <Input id={`stage-${x.id}-prob`} name="probability" type="number" label={t('crm.deal.probability_pct')} value={x.probability} size={3} />
              <Active id={`stage-${x.id}-active`} checked={x.active === 1} label={t('crm.settings.active')} />
            </RowForm>
          </li>
        ))}
        <li>
          <RowForm ctx={ctx} action="/crm/parametres/etapes">
            <Input id="stage-new-code" name="code" label={t('crm.settings.code')} />
            <Input id="stage-new-label" name="label" label={t('crm.settings.label')} />
            <Input id="stage-new-pos" name="position" type="number" label={t('crm.settings.position')} value={stages.length + 1} size={3} />
            <KindSelect ctx={ctx} id="stage-new-kind" value="open" />
            <Input id="stage-new-prob" name="probability" type="number" label={t('crm.deal.probability_pct')} value={20} size={3} />
            <input type="hidden" name="active" value="1" />
          </RowForm>
        </li>
      </ul>
    </Page>
  );
}
