/**
 * The Privacy screen: what Cairn holds, where and for how long; the consent ledger; usage
 * statistics; recipients and sub-processors; the audit trail; incidents with their 72-hour clock;
 * the requests register with its one-month deadlines;
 * Export my data; erasing a path from every recovery point; Erase all my data; and the records of
 * processing. Each section loads on its own and has its own loading, empty and error states.
 */
import { useState } from 'react';
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

const SECTIONS = [
  { id: 'privacy-held', title: 'What Cairn holds' },
  { id: 'privacy-consent', title: 'Consent' },
  { id: 'privacy-usage', title: 'Usage statistics' },
  { id: 'privacy-recipients', title: 'Recipients and sub-processors' },
  { id: 'privacy-audit', title: 'Audit trail' },
  { id: 'privacy-incidents', title: 'Incidents' },
  { id: 'privacy-requests', title: 'Requests from people' },
  { id: 'privacy-export', title: 'Export my data' },
  { id: 'privacy-erase-path', title: 'Erase a file or folder' },
  { id: 'privacy-erase-all', title: 'Erase everything' },
  { id: 'privacy-record', title: 'Records of processing' },
];

export function PrivacyScreen() {
  // After "Erase all my data" every record is new: the other sections load again from scratch.
  const [generation, setGeneration] = useState(0);
  return (
    <div className="screen privacy-screen">
      <h1>Privacy</h1>
      <nav aria-label="Privacy sections" className="privacy-toc">
        <ul>
          {SECTIONS.map((s) => (
            <li key={s.id}>
              <a href={`#${s.id}`}>{s.title}</a>
            </li>
          ))}
        </ul>
      </nav>
      <Held key={`held-${generation}`} />
      <ConsentLedger key={`consent-${generation}`} />
      <UsageStatistics key={`usage-${generation}`} />
      <SubProcessors key={`recipients-${generation}`} />
      <AuditTrail key={`audit-${generation}`} />
      <Incidents key={`incidents-${generation}`} />
      <Requests key={`requests-${generation}`} />
      <ExportData key={`export-${generation}`} />
      <ErasePath key={`erase-path-${generation}`} />
      <EraseAll onErased={() => setGeneration((g) => g + 1)} />
      <ProcessingRecord key={`record-${generation}`} />
    </div>
  );
}
