/**
 * The stored retention's former home: handlers/backup.ts (another slice of issue 21) still imports
 * `readRetention` from this path. The code is src/app/services/retention-settings.ts; delete this
 * file once that import points there.
 */
export { readRetention, type StoredRetention, writeRetention } from '../services/retention-settings.js';
