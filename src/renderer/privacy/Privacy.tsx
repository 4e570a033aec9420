/**
 * The Privacy screen, a summary first and each record one click away: the summary says what Cairn
 * holds and where (with the region), the consents with Withdraw, Export my data and Erase all my
 * data; the other pages hold the requests register and the incidents with their 72-hour clock,
 * erasing a path from every recovery point, usage statistics, the audit trail, and the records of
 * processing with the recipients. The page is part of the app's navigation state (a hand-off), so
 * the incident banner and the Dashboard can open a page directly. Each section loads on its own
 * and has its own loading, empty and error states.
 */
import { type ReactNode, useState } from 'react';
import type { PrivacyPage } from '../store.js';
import { useApp } from '../storeContext.js';
import { AuditTrail } from './AuditTrail.js';
import { ConsentLedger } from './ConsentLedger.js';
import { EraseAll } from './EraseAll.js';
import { ErasePath } from './ErasePath.js';
import { ExportData } from './ExportData.js';
import { Held } from './Held.js';
import { Incidents } from './Incidents.js';
import { ProcessingRecord } from './ProcessingRecord.js';
import { Requests } from './Requests.js';
import { SubProcessors } from './SubProcessors.js';
import { UsageStatistics } from './UsageStatistics.js';
import '../common/common.css';
import './privacy.css';

const PAGES: { id: PrivacyPage; title: string; render: (generation: number, onErased: () => void) => ReactNode }[] = [
  {
    id: 'summary',
    title: 'Summary',
    render: (g, onErased) => (
      <>
        <Held key={`held-${g}`} />
        <ConsentLedger key={`consent-${g}`} />
        <ExportData key={`export-${g}`} />
        <EraseAll onErased={onErased} />
      </>
    ),
  },
  {
    id: 'requests',
    title: 'Requests and incidents',
    render: (g) => (
      <>
        <Requests key={`requests-${g}`} />
        <Incidents key={`incidents-${g}`} />
      </>
    ),
  },
  { id: 'erase', title: 'Erase files', render: (g) => <ErasePath key={`erase-path-${g}`} /> },
  { id: 'usage', title: 'Statistics', render: (g) => <UsageStatistics key={`usage-${g}`} /> },
  { id: 'audit', title: 'Audit trail', render: (g) => <AuditTrail key={`audit-${g}`} /> },
  {
    id: 'records',
    title: 'Records',
    render: (g) => (
      <>
        <ProcessingRecord key={`record-${g}`} />
        <SubProcessors key={`recipients-${g}`} />
      </>
    ),
  },
];

export function PrivacyScreen() {
  const wanted = useApp((state) => state.handoff?.privacyPage);
  const navigate = useApp((state) => state.navigate);
  const current = PAGES.find((p) => p.id === wanted) ?? (PAGES[0] as (typeof PAGES)[number]);
  // After "Erase all my data" every record is new: the sections load again from scratch.
  const [generation, setGeneration] = useState(0);
  return (
    <div className="screen privacy-screen">
      <h1>Privacy</h1>
      <nav aria-label="Privacy sections" className="privacy-pages">
        <ul>
          {PAGES.map((p) => (
            <li key={p.id}>
              <button
                type="button"
                className="tab"
                aria-current={p.id === current.id ? 'page' : undefined}
                onClick={() => navigate('privacy', { privacyPage: p.id })}
              >
                {p.title}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      {current.render(generation, () => setGeneration((g) => g + 1))}
    </div>
  );
}
