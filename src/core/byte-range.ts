// HTTP byte ranges (RFC 9110 `Range: bytes=a-b`) for the clip players: a browser cannot seek in a video served
// without them.

/** One `bytes=a-b` range of a `size`-byte body (inclusive ends); undefined for none or a form we do not serve. */
export function byteRange(header: string | undefined, size: number): [number, number] | 'unsatisfiable' | undefined {
  const m = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  let from: number;
  let to: number;
  if (m[1] === '') {
    // A suffix: the last N bytes.
    from = Math.max(0, size - Number(m[2]));
    to = size - 1;
  } else {
    from = Number(m[1]);
    to = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (from >= size || from > to) return 'unsatisfiable';
  return [from, to];
}
