// The police master of each captured incident: once the stills are in (the bus's 'captured'), wait for the end of
// the incident window, read the recorder's clock, search its archive until the recording reaches the window's end
// (or a limit passes), then take the recorder's own download — or, when the recorder refuses it, RTSP playback
// copied without re-encoding — hashing and encrypting the bytes as they arrive. The seal (hash, method, clock
// offset, recorder identity) and its audit row are one transaction; a failed attempt is audited and retried while
// the recorder keeps the footage. Nothing is decoded or altered.
import { AppError, describeError } from '../../core/errors.js';
import {
  MASTER_METHOD_TEXT,
  type MasterMethod,
  type MasterRecord,
  masterWindow,
  recorderWindow,
} from '../../core/evidence.js';
import { isNvrError, NvrError } from '../../core/nvr-errors.js';
import type { Clock } from '../../core/ports/clock.js';
import type { MasterStore } from '../../core/ports/evidence-masters.js';
import type { RecorderClockReading } from '../../core/ports/frame-source.js';
import type { IncidentEventSink } from '../../core/ports/incident-events.js';
import type { FootageStream, RecorderFootage, RecorderIdentity } from '../../core/ports/recorder-footage.js';
import { scrubCredentials } from '../../core/secrets.js';

export interface EvidenceSettings {
  clipPreSeconds: number;
  clipPostSeconds: number;
  /** How long to keep asking while the recorder's endTime is short of the window's end. */
  waitSeconds: number;
  /** Pause between those searches. */
  pollSeconds: number;
  /** A margin after the window's end before the first search (the recorder writes a moment behind). */
  settleSeconds: number;
  retryMinutes: number;
  maxAttempts: number;
  /** Disk the sealed masters may use (evidence.maxBytes); absent: no limit. */
  maxBytes?: number;
}

/** The part of EncryptedFiles the acquisition needs. */
export interface MasterFiles {
  putStream(
    sub: string,
    name: string,
    chunks: AsyncIterable<Uint8Array>,
    onChunk?: (chunk: Buffer) => void,
  ): Promise<{ keyId: string; file: string; sha256: string; bytes: number }>;
  destroy(file: string, keyId: string): void;
}

export interface EvidenceDeps {
  masters: MasterStore;
  footage: RecorderFootage;
  files: MasterFiles;
  clock: Clock;
  /** The incident's camera and trigger time (the incident repository). */
  incident: (id: string) => { camera: number; triggerTime: string } | undefined;
  settings: EvidenceSettings;
  /** Whether an incident is under an evidence hold now (its master is never deleted for room). */
  held?: (incidentId: string) => boolean;
  events?: IncidentEventSink;
  onProblem?: (incidentId: string, message: string) => void;
}

const ACTOR = 'system';
const PROGRESS_STEP = 1 << 20;
const PROGRESS_MS = 1000;
const round1 = (x: number) => Math.round(x * 10) / 10;

/** Answers that mean "this recorder will not export", as opposed to "it is down". */
function refusedDownload(e: unknown): boolean {
  if (!isNvrError(e)) return false;
  return e.status === 403 || e.status === 405 || e.status === 501 || e.code === 'nvr-not-found';
}

export class MasterAcquisition {
  readonly #d: EvidenceDeps;
  readonly #running = new Map<string, Promise<MasterRecord | undefined>>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #stopped = false;
  #wake: (() => void) | undefined;
  readonly #stopping: Promise<void>;

  constructor(deps: EvidenceDeps) {
    this.#d = deps;
    this.#stopping = new Promise((r) => {
      this.#wake = r;
    });
  }

  /** Acquisitions a dead process left half done, and failed ones now due, start again (a Module's start). */
  resume(): string[] {
    const due = this.#d.masters.due(this.#d.clock.now());
    for (const m of due) this.schedule(m.incidentId);
    return due.map((m) => m.incidentId);
  }

  /** Starts (once) the acquisition of `incidentId`'s master; it waits for the window's end first. */
  schedule(incidentId: string): Promise<MasterRecord | undefined> {
    const have = this.#running.get(incidentId);
    if (have) return have;
    const p = this.#whenDue(incidentId)
      .catch((e: unknown) => {
        this.#d.onProblem?.(incidentId, scrubCredentials(describeError(e)));
        return undefined;
      })
      .finally(() => this.#running.delete(incidentId));
    this.#running.set(incidentId, p);
    return p;
  }

  /** Resolves when every acquisition started so far has settled. */
  async whenIdle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running.values()]);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    await this.whenIdle();
  }

  /** The footage as it arrives, cut off at stop(): the source's stream (ffmpeg, HTTP body) is closed with it. */
  async *#untilStopped(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const c of chunks) {
      if (this.#stopped)
        throw new Stopped('the service stopped during the acquisition; it is resumed at the next start');
      yield c;
    }
  }

  /** Waits on the injected clock, cut short by stop(). */
  async #sleep(ms: number): Promise<void> {
    if (ms > 0) await Promise.race([this.#d.clock.sleep(ms), this.#stopping]);
  }

  async #whenDue(incidentId: string): Promise<MasterRecord | undefined> {
    const inc = this.#d.incident(incidentId);
    if (!inc) return undefined;
    const s = this.#d.settings;
    const w = masterWindow(new Date(inc.triggerTime), s.clipPreSeconds, s.clipPostSeconds);
    await this.#sleep(w.to.getTime() + s.settleSeconds * 1000 - this.#d.clock.now().getTime());
    if (this.#stopped) return undefined;
    return this.acquire(incidentId);
  }

  /**
   * Room for `need` more bytes of masters under evidence.maxBytes. With `evict`, the oldest sealed masters not under
   * a hold (never this incident's) are deleted until it fits, each with its tombstone; without, it only checks that
   * deleting them could make room. Throws `evidence-disk-full` when the held masters alone leave too little.
   */
  #room(incidentId: string, need: number, evict: boolean): void {
    const d = this.#d;
    const max = d.settings.maxBytes;
    if (max === undefined) return;
    const sealed = d.masters.sealedOldestFirst().filter((m) => m.incidentId !== incidentId);
    let used = sealed.reduce((n, m) => n + (m.bytes ?? 0), 0);
    if (used + need <= max) return;
    const isHeld = (id: string) => d.held?.(id) ?? false;
    const unheld = sealed.filter((m) => !isHeld(m.incidentId));
    const heldBytes = used - unheld.reduce((n, m) => n + (m.bytes ?? 0), 0);
    if (heldBytes + need > max)
      throw new AppError(
        'evidence-disk-full',
        `evidence.maxBytes is ${max} bytes: the ${sealed.length - unheld.length} master(s) under an evidence hold use ${heldBytes} and this one needs ${need}; held masters are never deleted. Release a hold that is no longer needed, or raise evidence.maxBytes`,
      );
    if (!evict) return;
    for (const m of unheld) {
      if (used + need <= max) break;
      const gone = d.masters.evict(m.id, ACTOR, {
        what: "police master (the recorder's footage, encrypted)",
        when: d.clock.now().toISOString(),
        why: `disk limit: the masters would use ${used + need} of evidence.maxBytes=${max} bytes with the master of incident ${incidentId}; the oldest master not under a hold goes first`,
        policy: `evidence.maxBytes=${max}`,
        forIncident: incidentId,
      });
      if (gone) used -= m.bytes ?? 0;
    }
  }

  /** One attempt, now: seals the master or records why not (and when to try again). Never throws for the recorder. */
  async acquire(incidentId: string): Promise<MasterRecord | undefined> {
    const d = this.#d;
    const s = d.settings;
    const inc = d.incident(incidentId);
    if (!inc) return undefined;
    const existing = d.masters.forIncident(incidentId);
    if (existing?.state === 'sealed') return existing;
    const w = masterWindow(new Date(inc.triggerTime), s.clipPreSeconds, s.clipPostSeconds);
    const m = d.masters.begin({
      incidentId,
      camera: inc.camera,
      windowFrom: w.from.toISOString(),
      windowTo: w.to.toISOString(),
    });
    const t0 = d.clock.now().getTime();
    d.events?.emit('master-started', { incidentId, masterId: m.id, attempt: m.attempts });
    try {
      let clock: RecorderClockReading | undefined;
      try {
        clock = await d.footage.clock();
      } catch (e) {
        d.onProblem?.(incidentId, `recorder clock: ${scrubCredentials(describeError(e))}`);
      }
      let identity: RecorderIdentity | null = null;
      try {
        identity = await d.footage.identity();
      } catch (e) {
        d.onProblem?.(incidentId, `recorder identity: ${scrubCredentials(describeError(e))}`);
      }
      const rw = recorderWindow(w, clock ? Math.round(clock.offsetMs) : 0);
      // The recording for "now" may still be being written: its endTime moves on. Ask again until it covers the
      // window's end, up to the limit; then take what the recorder has and record that it was short.
      const deadline = d.clock.now().getTime() + s.waitSeconds * 1000;
      let segments = await d.footage.search(inc.camera, rw.from, rw.to);
      let end = latestEnd(segments);
      while (
        segments.length > 0 &&
        (end ?? 0) < rw.to.getTime() &&
        d.clock.now().getTime() < deadline &&
        !this.#stopped
      ) {
        await this.#sleep(s.pollSeconds * 1000);
        segments = await d.footage.search(inc.camera, rw.from, rw.to);
        end = latestEnd(segments);
      }
      if (this.#stopped)
        throw new NvrError('stream-failed', 'the service stopped during the acquisition; it is retried at start');
      const first = segments[0];
      if (!first)
        throw new NvrError(
          'nvr-no-recording',
          `the recorder holds no recording of camera ${inc.camera} between ${rw.from.toISOString()} and ${rw.to.toISOString()}`,
          { retryable: false },
        );
      let stream: FootageStream;
      let method: MasterMethod;
      let refusal: string | null = null;
      try {
        stream = await d.footage.download(inc.camera, first, rw.from, rw.to);
        method = 'isapi-download';
      } catch (e) {
        if (!refusedDownload(e)) throw e;
        refusal = scrubCredentials(describeError(e));
        stream = await d.footage.playbackCopy(inc.camera, rw.from, rw.to);
        method = 'rtsp-copy';
      }
      // Seconds of footage so far: the source's own count (ffmpeg's output timestamps for an RTSP copy), else the
      // share of the bytes the recorder announced, times the footage asked for (up to where its recording ends).
      const span = (Math.min(rw.to.getTime(), end ?? rw.to.getTime()) - rw.from.getTime()) / 1000;
      const windowSeconds = (rw.to.getTime() - rw.from.getTime()) / 1000;
      const seconds = (bytes: number): number | null => {
        const p = stream.position?.();
        if (p !== undefined && p !== null) return Math.min(windowSeconds, round1(p));
        if (stream.declaredBytes)
          return round1((Math.max(0, span) * Math.min(bytes, stream.declaredBytes)) / stream.declaredBytes);
        return null;
      };
      // Announced size over what the held masters leave of evidence.maxBytes: refused before a byte is fetched.
      if (stream.declaredBytes !== null) {
        try {
          this.#room(incidentId, stream.declaredBytes, false);
        } catch (e) {
          await stream.chunks[Symbol.asyncIterator]().return?.();
          throw e;
        }
      }
      let next = PROGRESS_STEP;
      let nextAt = 0;
      let got = 0;
      const report = () => {
        const secs = seconds(got);
        d.masters.progress(m.id, got, secs);
        d.events?.emit('master-progress', { incidentId, bytes: got, seconds: secs, windowSeconds });
      };
      const stored = await d.files.putStream(`masters/${incidentId}`, m.id, this.#untilStopped(stream.chunks), (b) => {
        got += b.length;
        const now = d.clock.now().getTime();
        if (got >= next || now >= nextAt) {
          next = got + PROGRESS_STEP;
          nextAt = now + PROGRESS_MS;
          report();
        }
      });
      report();
      if (stream.declaredBytes !== null && stored.bytes !== stream.declaredBytes) {
        d.files.destroy(stored.file, stored.keyId);
        throw new NvrError(
          'stream-failed',
          `the recorder's download ended after ${stored.bytes} of the ${stream.declaredBytes} bytes it announced`,
        );
      }
      // The bytes are in: make room under evidence.maxBytes (oldest unheld masters first), or give this one up.
      try {
        this.#room(incidentId, stored.bytes, true);
      } catch (e) {
        d.files.destroy(stored.file, stored.keyId);
        throw e;
      }
      const complete = end !== undefined && end >= rw.to.getTime();
      const recorderEnd = end === undefined ? null : new Date(end).toISOString();
      const sealed = d.masters.seal(
        m.id,
        {
          method,
          recorderName: stream.name,
          container: stream.container,
          sha256: stored.sha256,
          bytes: stored.bytes,
          file: stored.file,
          keyId: stored.keyId,
          recorderFrom: rw.from.toISOString(),
          recorderTo: rw.to.toISOString(),
          recorderEnd,
          complete,
          clockOffsetMs: clock ? Math.round(clock.offsetMs) : null,
          clockSource: clock?.source ?? null,
          clockReadAt: clock?.readAt ?? null,
          recorder: identity,
        },
        ACTOR,
        {
          masterId: m.id,
          method,
          methodText: MASTER_METHOD_TEXT[method],
          ...(refusal ? { downloadRefused: refusal } : {}),
          sha256: stored.sha256,
          bytes: stored.bytes,
          recorderName: stream.name,
          container: stream.container,
          window: { from: w.from.toISOString(), to: w.to.toISOString() },
          recorderWindow: { from: rw.from.toISOString(), to: rw.to.toISOString(), recordedTo: recorderEnd },
          complete,
          recorderClock: clock
            ? { offsetMs: Math.round(clock.offsetMs), source: clock.source, readAt: clock.readAt }
            : null,
          recorder: identity ? { ...identity } : null,
          attempt: m.attempts,
          ms: d.clock.now().getTime() - t0,
        },
      );
      d.events?.emit('master-sealed', {
        incidentId,
        masterId: m.id,
        sha256: stored.sha256,
        bytes: stored.bytes,
        method,
      });
      return sealed;
    } catch (e) {
      const reason = scrubCredentials(describeError(e));
      const retryable = (isNvrError(e) ? e.retryable : true) && !this.#stopped;
      const nextAt =
        retryable && m.attempts < s.maxAttempts ? new Date(d.clock.now().getTime() + s.retryMinutes * 60_000) : null;
      // A stop mid-way leaves the row 'acquiring': resume() takes it up at the next start.
      if (this.#stopped) return undefined;
      const failed = d.masters.fail(m.id, reason, nextAt, ACTOR);
      d.events?.emit('master-failed', { incidentId, reason, nextTry: nextAt ? nextAt.toISOString() : null });
      d.onProblem?.(incidentId, `police master: ${reason}`);
      if (nextAt) {
        const t = setTimeout(() => {
          this.#timers.delete(t);
          void this.schedule(incidentId);
        }, nextAt.getTime() - d.clock.now().getTime());
        t.unref();
        this.#timers.add(t);
      }
      return failed;
    }
  }
}

/** Thrown into a stream being written when the service stops: the temporary file goes, the row stays 'acquiring'. */
class Stopped extends Error {}

function latestEnd(segments: readonly { endTime: Date }[]): number | undefined {
  return segments.length === 0 ? undefined : Math.max(...segments.map((s) => s.endTime.getTime()));
}
