// Hostile input on the JSON API routes (see hostile-input.ts); also path traversal and oversized bodies.
import { hostileInputSuite } from './hostile-input.js';

hostileInputSuite('API', (r) => r.url.startsWith('/api/'), true);
