// The police-master acquisition in its own process, to be killed with SIGKILL part way (run with node --import tsx):
// argv dataDir httpPort rtspPort incidentId; the emulator's password comes in NVR_EMU_PASSWORD.
import { acquirer } from './evidence-acquirer.js';

const [dataDir, http, rtsp, incidentId] = process.argv.slice(2);
const a = acquirer(dataDir!, {
  httpPort: Number(http),
  rtspPort: Number(rtsp),
  username: 'admin',
  password: process.env['NVR_EMU_PASSWORD'] ?? '',
});
await a.acquisition.acquire(incidentId!);
await a.close();
