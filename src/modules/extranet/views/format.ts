// Date formatting of the extranet's views: the platform's (cached) formatters.
export { formatDate, formatDateTime } from '../../../platform/i18n/index.js';
