// An incident's redacted clip: made once its capture settles (every face filled, nothing chosen yet), made again
// when the reviewer picks the subject on a frame (that track kept visible). The footage is read again from the
// recorder each time (it keeps it for its retention period), so no unredacted video is stored by this feature;
// the tracks found the first time are reused, so a pick always refers to the faces the reviewer saw.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError, describeError } from '../../core/errors.js';
import type { AuditLog } from '../../core/ports/audit-log.js';
import type { ClipForPacket, ClipSource, ClipStore, StoredClip } from '../../core/ports/clips.js';
import type { Clock } from '../../core/ports/clock.js';
import type { IncidentRepository } from '../../core/ports/incidents.js';
import type { DecodeRequest } from '../../core/ports/video.js';
import type { Box } from '../../core/redaction.js';
import type { ClipAnalysis, ClipMaker, ExtraBox, SubjectPick } from './clip-maker.js';

export interface ClipServiceDeps {
  maker: ClipMaker;
  source: ClipSource;
  store: ClipStore;
  incidents: Pick<IncidentRepository, 'get'>;
  files: {
    put(sub: string, name: string, plain: Buffer): { keyId: string; file: string; sha256: string; bytes: number };
    get(file: string, keyId: string): Buffer;
    /** Shreds the clip a newer render replaced. */
    destroy(file: string, keyId: string): void;
  };
  audit: AuditLog;
  clock: Clock;
  /** The window around the trigger; their sum is at most 30 s. */
  preSeconds: number;
  postSeconds: number;
  /** The packet a clip would travel in (hub.maxPacketBytes, hub.encrypt); absent: no packets are sent. */
  packet?: { maxBytes: number; encrypted: boolean };
}

/**
 * The subject the reviewer picked on a still, as a pick in the clip: the still's time within the clip's window and
 * its box scaled from the still's pixels to the clip's. Undefined when the still lies outside the clip.
 */
export function pickFromStill(
  still: { box: Box; width: number; height: number; capturedAt: string },
  clip: { width: number; height: number; frames: number; fps: number; preSeconds: number },
  triggerTime: string,
): SubjectPick | undefined {
  const start = new Date(triggerTime).getTime() - clip.preSeconds * 1000;
  const atSeconds = (new Date(still.capturedAt).getTime() - start) / 1000;
  if (!(atSeconds >= 0 && atSeconds <= clip.frames / clip.fps)) return undefined;
  const sx = clip.width / still.width;
  const sy = clip.height / still.height;
  const [x, y, w, h] = still.box;
  return { box: [x * sx, y * sy, w * sx, h * sy], atSeconds };
}

export class ClipService {
  readonly #d: ClipServiceDeps;
  /** One clip job per incident at a time: a pick waits for the first make instead of racing it. */
  readonly #busy = new Map<string, Promise<unknown>>();
  readonly #listeners = new Set<(incidentId: string) => void>();

  constructor(deps: ClipServiceDeps) {
    if (deps.preSeconds + deps.postSeconds > 30)
      throw new AppError('clip-settings', 'a clip is at most 30 s long (clips.preSeconds + clips.postSeconds)');
    this.#d = deps;
  }

  /** The first clip of a captured incident, every face filled. Never throws: a failure is recorded on the clip. */
  async makeFor(incidentId: string): Promise<StoredClip> {
    return this.#serial(incidentId, async () => {
      const d = this.#d;
      const incident = d.incidents.get(incidentId);
      if (!incident) throw new AppError('incident-not-found', `incident ${incidentId} does not exist`);
      const trigger = new Date(incident.triggerTime).getTime();
      try {
        const input = await this.#input(incident.camera, trigger);
        const analysis = await d.maker.analyse(input);
        return await this.#render(incidentId, analysis, input, {}, 'system');
      } catch (e) {
        const clip = this.#failed(incidentId, describeError(e));
        d.audit.append({
          actor: 'system',
          action: 'clip',
          subject: incidentId,
          details: { made: false, reason: clip.reason },
        });
        return clip;
      }
    });
  }

  /**
   * Makes the clip again with the reviewer's subject picks (boxes on frames of the clip they saw) and extra boxes.
   * A pick on no tracked face is refused with the frame named; the clip on record stays as it was.
   */
  async choose(
    incidentId: string,
    choice: { picks: readonly SubjectPick[]; extra?: readonly ExtraBox[] },
    actor: string,
  ): Promise<StoredClip> {
    return this.#serial(incidentId, async () => {
      const d = this.#d;
      const incident = d.incidents.get(incidentId);
      const stored = d.store.analysis(incidentId);
      const analysis = stored ? (JSON.parse(stored) as ClipAnalysis | null) : null;
      if (!incident || !analysis)
        throw new AppError('clip-not-found', `incident ${incidentId} has no clip to choose a subject in`);
      // Checked before the recorder is asked for anything.
      d.maker.subjectTracks(analysis, choice.picks);
      const input = await this.#input(incident.camera, new Date(incident.triggerTime).getTime());
      return this.#render(incidentId, analysis, input, choice, actor);
    });
  }

  get(incidentId: string): StoredClip | undefined {
    return this.#d.store.get(incidentId);
  }

  packetFit(clip: StoredClip): { fits: boolean; estimateBytes: number; limitBytes: number } | undefined {
    const p = this.#d.packet;
    if (!p || clip.status !== 'made') return undefined;
    // base64 in the JSON payload, base64url in the JWS, and again in the JWE.
    const estimateBytes = Math.ceil(clip.bytes * (4 / 3) ** (p.encrypted ? 3 : 2));
    return { fits: estimateBytes <= p.maxBytes * 0.8, estimateBytes, limitBytes: p.maxBytes };
  }

  onChange(listener: (incidentId: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #changed(incidentId: string): void {
    for (const l of this.#listeners) {
      try {
        l(incidentId);
      } catch {
        // A listener (a page's live update) that fails does not fail the clip.
      }
    }
  }

  /** The clip's MP4 bytes (decrypted), or undefined when none was made. */
  bytes(incidentId: string): Buffer | undefined {
    const c = this.#d.store.get(incidentId);
    if (!c?.file || !c.keyId) return undefined;
    return this.#d.files.get(c.file, c.keyId);
  }

  /**
   * The clip a packet about this incident carries: the made, verified clip on record with its manifest entry, or
   * undefined (none made, failed, or a record from before the redaction summary was kept).
   */
  forPacket(incidentId: string): ClipForPacket | undefined {
    const c = this.#d.store.get(incidentId);
    if (c?.status !== 'made' || !c.sha256 || !c.redaction || c.frames === 0) return undefined;
    const bytes = this.bytes(incidentId);
    if (!bytes) return undefined;
    const incident = this.#d.incidents.get(incidentId);
    const start = incident ? new Date(new Date(incident.triggerTime).getTime() - c.preSeconds * 1000) : undefined;
    const r = c.redaction;
    return {
      entry: {
        width: c.width,
        height: c.height,
        fps: c.fps,
        durationSeconds: Math.round((c.frames / c.fps) * 1000) / 1000,
        ...(start ? { startTime: start.toISOString() } : {}),
        sha256: c.sha256,
        redaction: {
          facesTracked: r.facesTracked,
          facesFilled: r.facesFilled,
          facesKept: c.subjectTracks.length,
          extraBoxes: r.extraBoxes,
          model: r.model,
          mode: 'solid',
          verification: { result: 'verified', framesChecked: r.framesChecked, facesRepaired: r.facesRepaired },
        },
      },
      bytes,
    };
  }

  /**
   * A subject access answer's clip: made again from the recorder with only the requester kept (their still box carried
   * into the clip), written nowhere but returned; the clip on record (the offender's) is untouched. The audit row is
   * the SAR export's.
   */
  async forRequester(
    incidentId: string,
    requester?: { box: Box; width: number; height: number; capturedAt: string },
  ): Promise<
    | { bytes: Buffer; requesterShown: boolean; facesFilled: number; durationSeconds: number }
    | { reason: string }
    | undefined
  > {
    return this.#serial(incidentId, async () => {
      const d = this.#d;
      const record = d.store.get(incidentId);
      const stored = d.store.analysis(incidentId);
      const analysis = stored ? (JSON.parse(stored) as ClipAnalysis | null) : null;
      const incident = d.incidents.get(incidentId);
      if (!record || !incident) return undefined;
      if (!analysis) return { reason: record.reason ?? 'no clip was made' };
      let picks: SubjectPick[] = [];
      if (requester) {
        const pick = pickFromStill(requester, record, incident.triggerTime);
        try {
          if (pick) d.maker.subjectTracks(analysis, [pick]);
          picks = pick ? [pick] : [];
        } catch {
          // The requester's face is not tracked at that moment of the clip: every face stays filled.
          picks = [];
        }
      }
      const dir = mkdtempSync(join(tmpdir(), 'bcrp-sar-clip-'));
      try {
        const input = await this.#input(incident.camera, new Date(incident.triggerTime).getTime());
        const out = join(dir, 'clip.mp4');
        const made = await d.maker.make(analysis, input, out, { picks });
        return {
          bytes: readFileSync(out),
          requesterShown: (made.render.subject?.tracks.length ?? 0) > 0,
          facesFilled: made.render.filledTracks,
          durationSeconds: made.render.durationSeconds,
        };
      } catch (e) {
        return { reason: describeError(e) };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  /** Resolves when no clip job is running (tests, shutdown). */
  async whenIdle(): Promise<void> {
    while (this.#busy.size > 0) await Promise.allSettled([...this.#busy.values()]);
  }

  async #input(camera: number, trigger: number): Promise<Omit<DecodeRequest, 'fps' | 'maxSide'>> {
    const d = this.#d;
    const from = new Date(trigger - d.preSeconds * 1000);
    const to = new Date(trigger + d.postSeconds * 1000);
    return { input: await d.source.window(camera, from, to), durationSeconds: d.preSeconds + d.postSeconds };
  }

  async #render(
    incidentId: string,
    analysis: ClipAnalysis,
    input: Omit<DecodeRequest, 'fps' | 'maxSide'>,
    choice: { picks?: readonly SubjectPick[]; extra?: readonly ExtraBox[] },
    actor: string,
  ): Promise<StoredClip> {
    const d = this.#d;
    const dir = mkdtempSync(join(tmpdir(), 'bcrp-clip-'));
    try {
      const out = join(dir, 'clip.mp4');
      const made = await d.maker.make(analysis, input, out, choice);
      const mp4 = readFileSync(out);
      // Named by content, so a new render never overwrites the one on record before it is replaced.
      const name = `clip-${createHash('sha256').update(mp4).digest('hex').slice(0, 16)}.mp4`;
      const stored = d.files.put(`clips/${incidentId}`, name, mp4);
      const r = made.render;
      const clip: StoredClip = {
        incidentId,
        status: 'made',
        reason: null,
        file: stored.file,
        keyId: stored.keyId,
        sha256: stored.sha256,
        bytes: r.bytes,
        frames: r.frames,
        fps: r.fps,
        width: r.width,
        height: r.height,
        preSeconds: d.preSeconds,
        subjectTracks: r.subject?.tracks ?? [],
        lost: r.subject?.lost ?? [],
        candidates: r.subject?.candidates ?? [],
        redaction: {
          facesTracked: r.tracks,
          facesFilled: r.filledTracks,
          extraBoxes: r.extraBoxes,
          model: { id: analysis.model.id, sha256: analysis.model.sha256 },
          framesChecked: made.verify.frames,
          facesRepaired: made.repaired,
        },
        ...(choice.picks || choice.extra
          ? { choice: { picks: choice.picks ?? [], ...(choice.extra ? { extra: choice.extra } : {}) } }
          : {}),
        madeAt: d.clock.now().toISOString(),
      };
      const before = d.store.get(incidentId);
      d.store.save(clip, JSON.stringify(analysis));
      // The previous render (all filled, or another subject) is not kept beside the new one.
      if (before?.file && before.keyId && before.file !== stored.file) d.files.destroy(before.file, before.keyId);
      d.audit.append({
        actor,
        action: 'clip',
        subject: incidentId,
        details: {
          made: true,
          sha256: clip.sha256,
          bytes: clip.bytes,
          frames: clip.frames,
          facesTracked: r.tracks,
          facesFilled: r.filledTracks,
          subjectTracks: clip.subjectTracks,
          repairedFaces: made.repaired,
        },
      });
      this.#changed(incidentId);
      return clip;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  #failed(incidentId: string, reason: string): StoredClip {
    const d = this.#d;
    const clip: StoredClip = {
      incidentId,
      status: 'failed',
      reason,
      file: null,
      keyId: null,
      sha256: null,
      bytes: 0,
      frames: 0,
      fps: d.maker.settings.fps,
      width: 0,
      height: 0,
      preSeconds: d.preSeconds,
      subjectTracks: [],
      lost: [],
      candidates: [],
      madeAt: d.clock.now().toISOString(),
    };
    // A failed first make keeps no analysis to choose in; the web shows the reason.
    if (!d.store.get(incidentId)) {
      d.store.save(clip, 'null');
      this.#changed(incidentId);
    }
    return clip;
  }

  #serial<T>(incidentId: string, job: () => Promise<T>): Promise<T> {
    const before = this.#busy.get(incidentId) ?? Promise.resolve();
    const p = before.catch(() => undefined).then(job);
    const tracked = p
      .catch(() => undefined)
      .finally(() => {
        if (this.#busy.get(incidentId) === tracked) this.#busy.delete(incidentId);
      });
    this.#busy.set(incidentId, tracked);
    return p;
  }
}
