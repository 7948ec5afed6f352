// Burns a visible watermark (who is looking, and when) into a JPEG the hub serves, so a leaked screenshot or
// download names the account it came from. The text is drawn into the pixels and the image re-encoded: it is not an
// overlay a browser could hide, and no metadata of the original survives.
import sharp from 'sharp';

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export async function watermarkJpeg(jpeg: Buffer, text: string): Promise<Buffer> {
  const img = sharp(jpeg, { limitInputPixels: 8192 * 8192 });
  const { width = 1, height = 1 } = await img.metadata();
  // A band along the bottom and the text repeated diagonally, both sized to the image so small crops carry it too.
  // Fits the whole text across the width (about 0.62 em per character in DejaVu Sans).
  const size = Math.max(
    6,
    Math.min(Math.round(Math.min(width, height) / 9), Math.floor((width * 0.94) / (text.length * 0.62))),
  );
  const band = Math.round(size * 1.6);
  const safe = text.replace(/[&<>"']/g, (c) => ESC[c] ?? c);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
<rect x="0" y="${height - band}" width="${width}" height="${band}" fill="#000" fill-opacity="0.55"/>
<text x="${Math.round(size / 2)}" y="${height - Math.round(band / 3)}" font-family="DejaVu Sans, sans-serif" font-size="${size}" fill="#fff">${safe}</text>
<text x="50%" y="50%" text-anchor="middle" font-family="DejaVu Sans, sans-serif" font-size="${size}" fill="#fff" fill-opacity="0.35" transform="rotate(-30 ${width / 2} ${height / 2})">${safe}</text>
</svg>`;
  return img
    .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
    .jpeg({ quality: 85 })
    .toBuffer();
}
