// Hostile images: the JPEG header reader (packets) gets FUZZ_RUNS byte strings; the sharp decoder in front of
// redaction gets DECODE_RUNS real decodes of truncated and corrupted inputs, plus CMYK, 16-bit, grey, alpha,
// animated, SVG and huge-dimension files. A decode gives 8-bit RGB or a BadImage naming the problem.
import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { SharpCodec } from '../../../src/adapters/imaging/sharp-codec.js';
import { readJpegInfo } from '../../../src/core/packet/jpeg.js';
import { BadImage } from '../../../src/core/redaction-errors.js';
import { allowFuzzTime, DECODE_RUNS, FUZZ_RUNS, fuzzParams } from '../../support/fuzz.js';

allowFuzzTime();

describe('images', () => {
  const codec = new SharpCodec({ maxInputPixels: 40_000_000, jpegQuality: 85 });
  let jpeg: Buffer;
  let png: Buffer;
  let specials: Record<string, Buffer>;

  /** A PNG whose header claims the given size: enough for a decoder to be tempted to allocate it. */
  function pngClaiming(width: number, height: number): Buffer {
    const chunk = (type: string, data: Buffer) => {
      const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
      const len = Buffer.alloc(4);
      len.writeUInt32BE(data.length);
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(crc32(body));
      return Buffer.concat([len, body, crc]);
    };
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(width, 0);
    ihdr.writeUInt32BE(height, 4);
    ihdr.set([8, 2, 0, 0, 0], 8);
    return Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', ihdr),
      chunk('IDAT', deflateSync(Buffer.alloc(1024))),
      chunk('IEND', Buffer.alloc(0)),
    ]);
  }

  beforeAll(async () => {
    const raw = Buffer.alloc(96 * 64 * 3);
    for (let i = 0; i < raw.length; i++) raw[i] = (i * 31) % 251;
    const base = sharp(raw, { raw: { width: 96, height: 64, channels: 3 } });
    jpeg = await base.clone().jpeg().toBuffer();
    png = await base.clone().png().toBuffer();
    const frames = Buffer.alloc(32 * 32 * 4 * 3, 200);
    specials = {
      cmyk: await base.clone().toColourspace('cmyk').jpeg().toBuffer(),
      png16: await base.clone().toColourspace('rgb16').png().toBuffer(),
      gray: await base.clone().greyscale().png().toBuffer(),
      progressive: await base.clone().jpeg({ progressive: true }).toBuffer(),
      alpha: await base.clone().ensureAlpha().png().toBuffer(),
      animatedGif: await sharp(frames, { raw: { width: 32, height: 96, channels: 4, pageHeight: 32 } } as never)
        .gif()
        .toBuffer(),
      animatedWebp: await sharp(frames, { raw: { width: 32, height: 96, channels: 4, pageHeight: 32 } } as never)
        .webp()
        .toBuffer(),
      hugePng: pngClaiming(100_000, 100_000),
      widePng: pngClaiming(0x7fffffff, 1),
      zeroPng: pngClaiming(0, 0),
      svg: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="99999" height="99999"/>'),
    };
  });

  it(`${FUZZ_RUNS} byte strings through the JPEG header reader: a size or undefined, never a throw`, async () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }).map((u) => Buffer.from(u)),
          fc.nat().map((n) => jpeg.subarray(0, n % jpeg.length)),
          fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })).map(([at, v]) => {
            const b = Buffer.from(jpeg.subarray(0, 300));
            b[at % b.length] = v;
            return b;
          }),
        ),
        (bytes) => {
          const info = readJpegInfo(bytes);
          if (info) {
            expect(Number.isInteger(info.width) && Number.isInteger(info.height)).toBe(true);
            expect(info.width).toBeLessThanOrEqual(65535);
          }
        },
      ),
      fuzzParams(),
    );
  });

  it('decodes grey, progressive, alpha, CMYK and 16-bit inputs to 8-bit RGB', async () => {
    for (const name of ['cmyk', 'png16', 'gray', 'progressive', 'alpha'] as const) {
      const out = await codec.decode(specials[name]!);
      expect(out.data.length, name).toBe(out.width * out.height * 3);
    }
  });

  it('refuses animated, SVG, huge-dimension and zero-size inputs with a BadImage naming the problem', async () => {
    for (const [name, bytes] of Object.entries(specials)) {
      if (['cmyk', 'png16', 'gray', 'progressive', 'alpha'].includes(name)) continue;
      const e = await codec.decode(bytes).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e, name).toBeInstanceOf(BadImage);
      expect((e as Error).message, name).toMatch(/JPEG or PNG|too large|truncated or corrupt|not an image/);
    }
  });

  it(`${DECODE_RUNS} truncated or corrupted JPEGs and PNGs: decoded or a BadImage, never another error`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.oneof(
          fc.nat().map((n) => ({ cut: n })),
          fc
            .array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 })
            .map((e) => ({ edits: e })),
        ),
        async (isPng, how) => {
          const base = isPng ? png : jpeg;
          let bytes: Buffer;
          if ('cut' in how) bytes = base.subarray(0, how.cut % base.length);
          else {
            bytes = Buffer.from(base);
            for (const [at, v] of how.edits) bytes[at % bytes.length] = v;
          }
          try {
            const out = await codec.decode(bytes);
            expect(out.data.length).toBe(out.width * out.height * 3);
          } catch (e) {
            expect(e, String(e)).toBeInstanceOf(BadImage);
          }
        },
      ),
      fuzzParams(DECODE_RUNS),
    );
  });
});

/** CRC-32 as PNG wants it (zlib.crc32 arrived after Node 20.9). */
function crc32(b: Buffer): number {
  let c = ~0;
  for (const byte of b) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}
