#!/usr/bin/python3
"""RTSP side of bcrp-edge's NVR emulator (GStreamer rtsp-server), bound to 127.0.0.1 only.

Serves the paths a Hikvision recorder serves, for channels 1..N:
  /Streaming/Channels/{ch}01   main stream: the media file from its start, H.264 passed through
  /Streaming/Channels/{ch}02   sub stream: the same media (the emulator keeps one file per channel)
  /Streaming/tracks/{ch}01     playback; ?starttime=YYYYMMDDTHHMMSSZ&endtime=... accepted and logged (no archive:
                               the file is served from its start)
Each client gets its own pipeline from the start of the file, ending at its end: no looping, because the
segment-seek loop (as in ../shared/rig) deadlocked rtsp-server when sessions opened and closed concurrently
(holding back the first ASYNC_DONE is what hangs it). The price: a first frame takes ~1.3 s here against
~0.3 s from the rig's server, because each PLAY re-prerolls the pipeline.
Digest auth (MD5, as GStreamer's RTSPAuth offers), RTP interleaved over TCP only. The password is read from the
environment (NVR_EMU_PASSWORD), not argv, so it is not visible in the process list. Port 0 picks a free port; the
bound port is printed as 'ready rtsp://127.0.0.1:PORT'. Stops on SIGTERM/SIGINT, or when stdin closes (so it
never outlives the Node process that started it).
"""
import argparse
import os
import re
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
gi.require_version("GstRtsp", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

Gst.init(None)
HIK_TIME = re.compile(r"^\d{8}T\d{6}Z$")


def log(msg):
    try:
        print(f"emulator-rtsp: {msg}", file=sys.stderr, flush=True)
    except OSError:
        pass  # the parent (reading our stderr) is gone; we are about to stop anyway


def file_launch(path):
    loc = path.replace("\\", "\\\\").replace('"', '\\"')
    return (f'( filesrc location="{loc}" ! qtdemux name=demux demux.video_0 ! queue ! h264parse ! '
            f'rtph264pay name=pay0 pt=96 config-interval=1 )')


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--user", default="admin")
    ap.add_argument("--realm", default="bcrp-edge NVR emulator")
    ap.add_argument("--media", action="append", required=True, help="H.264 MP4, once per channel")
    ap.add_argument("--ttl", type=float, default=0)
    args = ap.parse_args()
    password = os.environ.get("NVR_EMU_PASSWORD", "")
    for f in args.media:
        if not os.path.isfile(f):
            sys.exit(f"emulator-rtsp: no such media file: {f}")

    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))
    auth = None
    if password:
        auth = GstRtspServer.RTSPAuth()
        auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
        auth.set_realm(args.realm)
        token = GstRtspServer.RTSPToken()
        token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, "viewer")
        auth.add_digest(args.user, password, token)
        server.set_auth(auth)

    def factory(launch):
        f = GstRtspServer.RTSPMediaFactory()
        f.set_launch(launch)
        f.set_shared(False)
        f.set_protocols(GstRtsp.RTSPLowerTrans.TCP)
        if auth is not None:
            perms = GstRtspServer.RTSPPermissions()
            perms.add_permission_for_role("viewer", GstRtspServer.RTSP_PERM_MEDIA_FACTORY_ACCESS, True)
            perms.add_permission_for_role("viewer", GstRtspServer.RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, True)
            f.set_permissions(perms)
        return f

    mounts = server.get_mount_points()
    for i, media in enumerate(args.media, start=1):
        launch = file_launch(media)
        mounts.add_factory(f"/Streaming/Channels/{i}01", factory(launch))
        mounts.add_factory(f"/Streaming/Channels/{i}02", factory(launch))
        mounts.add_factory(f"/Streaming/tracks/{i}01", factory(launch))

    def on_describe(_client, ctx):
        uri = ctx.uri
        if uri is None or not uri.abspath.startswith("/Streaming/tracks/"):
            return
        q = dict(p.split("=", 1) for p in (uri.query or "").split("&") if "=" in p)
        bad = [k for k in ("starttime", "endtime") if k in q and not HIK_TIME.match(q[k])]
        log(f"playback {uri.abspath} starttime={q.get('starttime')} endtime={q.get('endtime')}"
            + (f" (not YYYYMMDDTHHMMSSZ: {', '.join(bad)})" if bad else ""))

    server.connect("client-connected", lambda _s, client: client.connect("describe-request", on_describe))
    if server.attach(None) == 0:
        sys.exit(f"emulator-rtsp: cannot listen on 127.0.0.1:{args.port}")

    loop = GLib.MainLoop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, loop.quit)
    # The parent holds our stdin open; when it goes away (even by SIGKILL) stdin reaches EOF and we stop.
    def on_stdin(_channel, condition):
        if condition & (GLib.IOCondition.HUP | GLib.IOCondition.ERR) or not os.read(sys.stdin.fileno(), 4096):
            loop.quit()
            log("stdin closed: the parent is gone; stopping")
            return False
        return True

    GLib.io_add_watch(GLib.IOChannel.unix_new(sys.stdin.fileno()), GLib.PRIORITY_DEFAULT,
                      GLib.IOCondition.IN | GLib.IOCondition.HUP | GLib.IOCondition.ERR, on_stdin)
    if args.ttl > 0:
        GLib.timeout_add(int(args.ttl * 1000), loop.quit)
    print(f"ready rtsp://127.0.0.1:{server.get_bound_port()}", flush=True)
    loop.run()
    log("stopped")


if __name__ == "__main__":
    main()
