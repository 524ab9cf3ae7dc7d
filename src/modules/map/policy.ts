// Who may do what on the map: pure rules the handlers and the views share.
import { can } from '../../platform/access/index.js';
import type { Actor } from '../../platform/audit/audit.js';

/** The map shows the registry: whoever reads the registry reads its map. */
export const mayUseMap = (actor: Actor) => can(actor, 'registry:read');
/** The GeoJSON export is an export of the registry, like its CSV. */
export const mayExportMap = (actor: Actor) => can(actor, 'registry:export');
/** CRM layers: visits and deals are read by whoever uses the CRM (crm:use), as in the CRM itself. */
export const maySeeCrmLayers = (actor: Actor) => can(actor, 'crm:use');
