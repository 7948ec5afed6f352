// An RTSP server that answers OPTIONS, DESCRIBE (an H.264 SDP), SETUP and PLAY and then never sends a packet: the
// "camera that never sends a frame" case. (A GStreamer pipeline that never prerolls blocks rtsp-server as a whole,
// so this case lives in its own tiny server.)
import { createServer, type Server } from 'node:net';
import { afterAll } from 'vitest';

const servers: Server[] = [];
afterAll(async () => {
  for (const s of servers.splice(0)) await new Promise<void>((r) => s.close(() => r()));
});

export async function silentRtspServer(): Promise<{ port: number; server: Server }> {
  const server = createServer((sock) => {
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end === -1) return;
        const req = buf.slice(0, end);
        buf = buf.slice(end + 4);
        const method = req.split(' ')[0];
        const cseq = /CSeq:\s*(\d+)/i.exec(req)?.[1] ?? '0';
        const base = `RTSP/1.0 200 OK\r\nCSeq: ${cseq}\r\n`;
        if (method === 'OPTIONS') sock.write(`${base}Public: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN\r\n\r\n`);
        else if (method === 'DESCRIBE') {
          const sdp =
            'v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=silent\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1\r\na=control:track1\r\n';
          sock.write(`${base}Content-Type: application/sdp\r\nContent-Length: ${sdp.length}\r\n\r\n${sdp}`);
        } else if (method === 'SETUP')
          sock.write(`${base}Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\nSession: 1234\r\n\r\n`);
        else if (method === 'PLAY') sock.write(`${base}Session: 1234\r\n\r\n`);
        else sock.write(`${base}\r\n`);
      }
    });
    sock.on('error', () => {});
    // Close the sockets with the server (ffmpeg is killed first; this is for anything still connected).
    server.once('close', () => sock.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return { port: (server.address() as { port: number }).port, server };
}
