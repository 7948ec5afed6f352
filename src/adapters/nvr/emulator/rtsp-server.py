#!/usr/bin/python3
"""RTSP side of bcrp-edge's NVR emulator (GStreamer rtsp-server), bound to 127.0.0.1 only.

Serves the paths a Hikvision recorder serves, for channels 1..N:
  /Streaming/Channels/{ch}01   main stream: the media file at its "current" position, looping, H.264 passed through
  /Streaming/Channels/{ch}02   sub stream: the same media (the emulator keeps one file per channel)
  /Streaming/tracks/{ch}01     playback from ?starttime=YYYYMMDDTHHMMSSZ (endtime accepted and logged)
The media stands for a recording that loops forever from --epoch (Unix ms): wall time t shows the media at
floor((t - epoch) / 1 s) mod floor(duration) seconds — the same mapping the ISAPI snapshot uses — so a playback
session starts where the recorder would have been at its starttime, and live starts at "now".
The position is applied to the seek rtsp-server itself makes for the PLAY request's Range (ffmpeg and rtspsrc
always send one, ffmpeg npt=0.000-; the media reports its position as unknown so that seek is never skipped): on
its way to the demuxer a pad probe moves its start to the wanted second and adds the SEGMENT flag, and
SEGMENT_DONE is answered with a non-flushing segment seek back to 0 — the loop. Nothing holds back the first
ASYNC_DONE: doing so (to arm the loop before the server saw the media as prepared, as the first version of this
emulator and ../shared/rig do) is what deadlocked rtsp-server when sessions opened and closed concurrently;
test/integration/nvr-emulator-rtsp.test.ts opens and drops many at once. At each loop point the first frame gets the
last one's timestamp (qtdemux ends the segment at the last frame's start); ffmpeg warns about a non-monotonic DTS
and bumps it by one tick, which is harmless for stills and for the pre-roll's segment copy.
Digest auth (MD5, as GStreamer's RTSPAuth offers), RTP interleaved over TCP only. The password is read from the
environment (NVR_EMU_PASSWORD), not argv, so it is not visible in the process list. Port 0 picks a free port; the
bound port is printed as 'ready rtsp://127.0.0.1:PORT'. Stops on SIGTERM/SIGINT, or when stdin closes (so it
never outlives the Node process that started it).
"""
import argparse
import calendar
import os
import re
import signal
import sys
import time

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


class LoopingMedia(GstRtspServer.RTSPMedia):
    """Starts at `start_s` (set per PLAY by on_pre_play) and loops its file with segment seeks, so RTP
    timestamps run on across the loop point. The seek for the PLAY request is the server's own (rtsp-server makes
    one for the Range header every client sends); the pad probe moves its start to `start_s` and adds the SEGMENT
    flag. The only seek made from here is the non-flushing one answering SEGMENT_DONE."""

    start_s = None
    _pad = None

    def _on_upstream_event(self, pad, info):
        ev = info.get_event()
        if ev.type != Gst.EventType.SEEK:
            return Gst.PadProbeReturn.OK
        rate, fmt, flags, st, start, et, stop = ev.parse_seek()
        if flags & Gst.SeekFlags.SEGMENT:
            return Gst.PadProbeReturn.OK
        if self.start_s is not None and fmt == Gst.Format.TIME:
            st, start, self.start_s = Gst.SeekType.SET, self.start_s * Gst.SECOND, None
        pad.send_event(Gst.Event.new_seek(rate, fmt, flags | Gst.SeekFlags.SEGMENT, st, start, et, stop))
        return Gst.PadProbeReturn.DROP

    def do_query_position(self, _position):
        # "Position unknown", always. rtsp-server skips the PLAY seek when the Range start equals the position
        # (npt=0 on a fresh media), and the seek is what places playback at its starttime. (PyGObject cannot fill
        # this vfunc's out-parameter, so it cannot chain up for the other callers either; each of them copes with
        # an unknown position.)
        return False

    def arm(self):
        """Called on media-configure, before the pipeline prerolls: the probe is in place before any seek."""
        demux = self.get_element().get_by_name("demux")
        if demux is not None:
            demux.connect("pad-added", self._on_pad_added)

    def _on_pad_added(self, _demux, pad):
        if self._pad is None and pad.get_name() == "video_0":
            pad.add_probe(Gst.PadProbeType.EVENT_UPSTREAM, self._on_upstream_event)
            self._pad = pad

    def do_handle_message(self, message):
        if message.type == Gst.MessageType.SEGMENT_DONE and self._pad is not None:
            self._pad.send_event(Gst.Event.new_seek(1.0, Gst.Format.TIME, Gst.SeekFlags.SEGMENT, Gst.SeekType.SET, 0,
                                                    Gst.SeekType.NONE, -1))
            return True
        return GstRtspServer.RTSPMedia.do_handle_message(self, message)


def parse_hik_time(value):
    """YYYYMMDDTHHMMSSZ as Unix ms, or None."""
    if not value or not HIK_TIME.match(value):
        return None
    return calendar.timegm(time.strptime(value, "%Y%m%dT%H%M%SZ")) * 1000


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--user", default="admin")
    ap.add_argument("--realm", default="bcrp-edge NVR emulator")
    ap.add_argument("--media", action="append", required=True, help="H.264 MP4, once per channel")
    ap.add_argument("--media-seconds", type=float, action="append", default=[],
                    help="duration of each --media, in order (without it: served from its start, no loop)")
    ap.add_argument("--epoch", type=float, default=time.time() * 1000,
                    help="Unix ms at which the recording shows the media's first second")
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

    def factory(launch, looping):
        f = GstRtspServer.RTSPMediaFactory()
        f.set_launch(launch)
        f.set_shared(False)
        if looping:
            f.set_media_gtype(LoopingMedia.__gtype__)
            f.connect("media-configure", lambda _f, media: media.arm())
        f.set_protocols(GstRtsp.RTSPLowerTrans.TCP)
        if auth is not None:
            perms = GstRtspServer.RTSPPermissions()
            perms.add_permission_for_role("viewer", GstRtspServer.RTSP_PERM_MEDIA_FACTORY_ACCESS, True)
            perms.add_permission_for_role("viewer", GstRtspServer.RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, True)
            f.set_permissions(perms)
        return f

    # Whole seconds of media per channel (0: unknown, serve from the start without looping).
    seconds = [int(args.media_seconds[i]) if i < len(args.media_seconds) else 0 for i in range(len(args.media))]
    mounts = server.get_mount_points()
    for i, media in enumerate(args.media, start=1):
        launch = file_launch(media)
        looping = seconds[i - 1] > 0
        mounts.add_factory(f"/Streaming/Channels/{i}01", factory(launch, looping))
        mounts.add_factory(f"/Streaming/Channels/{i}02", factory(launch, looping))
        mounts.add_factory(f"/Streaming/tracks/{i}01", factory(launch, looping))
    path_re = re.compile(r"^/Streaming/(Channels|tracks)/(\d+)0[12]/?$")

    def position(abspath, starttime):
        """Media second for a PLAY of this path (playback from `starttime` ms, live from now), or None."""
        m = path_re.match(abspath or "")
        ch = int(m.group(2)) if m else 0
        if not m or not 1 <= ch <= len(seconds) or seconds[ch - 1] <= 0:
            return None
        at = starttime if m.group(1) == "tracks" and starttime is not None else time.time() * 1000
        return int((at - args.epoch) // 1000) % seconds[ch - 1]

    def query_of(uri):
        return dict(p.split("=", 1) for p in (uri.query or "").split("&") if "=" in p)

    def on_client(_s, client):
        # The starttime is in the DESCRIBE URI; PLAY goes to the SDP's aggregate control URL, without the query.
        session = {"starttime": None}

        def on_describe(_client, ctx):
            uri = ctx.uri
            if uri is None or not uri.abspath.startswith("/Streaming/tracks/"):
                return
            q = query_of(uri)
            bad = [k for k in ("starttime", "endtime") if k in q and not HIK_TIME.match(q[k])]
            log(f"playback {uri.abspath} starttime={q.get('starttime')} endtime={q.get('endtime')}"
                + (f" (not YYYYMMDDTHHMMSSZ: {', '.join(bad)})" if bad else ""))
            session["starttime"] = parse_hik_time(q.get("starttime"))

        def on_pre_play(_client, ctx):
            uri = ctx.uri
            if uri is None or not isinstance(ctx.media, LoopingMedia):
                return GstRtsp.RTSPStatusCode.OK
            start = parse_hik_time(query_of(uri).get("starttime")) or session["starttime"]
            pos = position(uri.abspath, start)
            if pos is not None:
                # A recorder positions playback by starttime and live by the clock; the client's npt means nothing.
                ctx.media.start_s = pos
                log(f"play {uri.abspath} from media second {pos}")
            return GstRtsp.RTSPStatusCode.OK

        client.connect("describe-request", on_describe)
        client.connect("pre-play-request", on_pre_play)

    server.connect("client-connected", on_client)
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
