// Writes the clean-install test's still: three cartoon faces the project draws itself (test/support), as JPEG.
import { writeFileSync } from 'node:fs';
import { syntheticStill } from '../../test/support/synthetic-faces.js';

const out = process.argv[2];
if (!out) throw new Error('usage: tsx scripts/clean-install/make-still.ts OUT.jpg');
const { image } = await syntheticStill({ format: 'jpeg' });
writeFileSync(out, image);
