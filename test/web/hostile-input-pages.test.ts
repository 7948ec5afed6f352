// Hostile input on the pages, forms, health and metrics routes (see hostile-input.ts).
import { hostileInputSuite } from './hostile-input.js';

hostileInputSuite('pages', (r) => !r.url.startsWith('/api/'), false);
