// Reads what the packet needs from a JPEG without decoding it: its size, and whether it still carries metadata
// segments (EXIF, XMP, ICC, comments) that must not leave the shop.
export interface JpegInfo {
  width: number;
  height: number;
  /** Names of metadata segments found (e.g. 'EXIF', 'XMP', 'ICC', 'COM'). */
  metadata: string[];
}

export function readJpegInfo(b: Buffer): JpegInfo | undefined {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  const metadata: string[] = [];
  let i = 2;
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i++;
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2;
      continue;
    }
    const len = b.readUInt16BE(i + 2);
    const seg = b.subarray(i + 4, i + 2 + len);
    if (marker === 0xe1) {
      if (seg.subarray(0, 4).toString('latin1') === 'Exif') metadata.push('EXIF');
      else if (seg.toString('latin1', 0, 28).startsWith('http://ns.adobe.com/xap')) metadata.push('XMP');
      else metadata.push('APP1');
    } else if (marker === 0xe2 && seg.subarray(0, 11).toString('latin1') === 'ICC_PROFILE') metadata.push('ICC');
    else if (marker === 0xed) metadata.push('IPTC');
    else if (marker === 0xfe) metadata.push('COM');
    const sof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (sof) {
      if (seg.length < 5) return undefined;
      return { height: seg.readUInt16BE(1), width: seg.readUInt16BE(3), metadata };
    }
    i += 2 + len;
  }
  return undefined;
}
