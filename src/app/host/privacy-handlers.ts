/**
 * The former home of PrivacyApp, kept only because `cairn privacy export|record`
 * (src/cli/commands/privacy-export.ts, outside the host) imports it from this path; new code
 * imports privacy-app.ts. Delete this file once that import points there.
 */
export { type CatalogView, EMPTY_CATALOG, type ExtraRepository, PrivacyApp } from './privacy-app.js';
