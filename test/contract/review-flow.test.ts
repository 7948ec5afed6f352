// Runs the review flow contract against the dev fixtures (the stand-ins the demo uses).
import { silentLogger } from '../../src/observability/logger.js';
import { createDevWeb } from '../support/dev-web/index.js';
import { tempDir } from '../support/tmp.js';
import { reviewFlowContract } from './review-flow.contract.js';

reviewFlowContract('dev fixtures', async () => {
  const dev = createDevWeb({ dataDir: tempDir('bcrp-review-'), log: silentLogger(), stepMs: 2 });
  return {
    incidents: dev.incidents,
    review: dev.review,
    approvals: dev.review,
    auditTail: (n) => [...dev.audit.entries()].slice(-n),
  };
});
