// The map module (issue #17): the registry on a map — clusters counted on a grid kept by
// triggers (ADR 0011), points at street zoom, choropleths, CRM layers, zones saved as registry
// segments, GeoJSON export. See README.md.
import { mountRoutes } from '../../platform/http/routes.js';
import { defineModule } from '../../platform/module.js';
import { summaryTriggersActive } from '../../platform/db/triggers.js';
import { ensureEstablishmentSummary, registerEstablishmentSummary } from '../registry/index.js';
import { CELL_SUMMARY } from './cells.js';
import { mapApiRoutes, mapWebRoutes } from './map.routes.js';
import { mapMessages } from './messages.js';

// The registry's bulk loads suspend and rebuild the cell summary with its own.
registerEstablishmentSummary(CELL_SUMMARY);

export const mapModule = defineModule({
  name: 'map',
  messages: mapMessages,
  nav: [{ section: 'nav.section.registry', label: 'map.nav', href: '/carte', permission: 'registry:read', order: 5 }],
  web: (app, ctx) => mountRoutes(app, ctx, mapWebRoutes),
  api: (app, ctx) => mountRoutes(app, ctx, mapApiRoutes),
  jobs: {
    // A registry loaded before the map existed (or by a process without it) gets its cell summary
    // here; never during a bulk load (the registry's own summary is then suspended).
    'map.ensure_cells': async (_payload: unknown, job) => {
      if (!(await summaryTriggersActive(job.db, { name: 'establishments_facet_counts', table: 'establishments' }))) return { skipped: 'registry summary not active' };
      await ensureEstablishmentSummary(job.db, CELL_SUMMARY);
      return { ok: true };
    },
  },
  schedules: [{ kind: 'map.ensure_cells', everySeconds: 900 }],
  async seedDemo(ctx, log) {
    // The registry's demo import (earlier in the module list) built the cells; make sure.
    await ensureEstablishmentSummary(ctx.db, CELL_SUMMARY);
    log('Carte : cellules de regroupement prêtes.');
  },
});
