// Incremental parser for the never-ending multipart/mixed body of ISAPI's alertStream. Recorders disagree about
// the boundary (declared "boundary", sent as "--boundary", "--MIME_boundary" or nothing, CRLF or bare LF), so
// the parser does not trust it: a part is a header block followed by Content-Length bytes, or — without a
// length — the text up to the next "--" delimiter line or the end of the XML root element.

export interface MultipartPart {
  contentType: string;
  body: Buffer;
}

const MAX_BUFFER = 1 << 20;
const HEADER_END = /\r?\n\r?\n/;

export class MultipartStreamParser {
  #buf: Buffer = Buffer.alloc(0);
  readonly #onPart: (p: MultipartPart) => void;
  readonly #onGarbage: (reason: string) => void;

  constructor(onPart: (p: MultipartPart) => void, onGarbage: (reason: string) => void = () => {}) {
    this.#onPart = onPart;
    this.#onGarbage = onGarbage;
  }

  push(chunk: Buffer | Uint8Array): void {
    this.#buf = this.#buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.#buf, chunk]);
    while (this.#next()) {
      // keep taking parts while whole ones are buffered
    }
    if (this.#buf.length > MAX_BUFFER) {
      this.#buf = Buffer.alloc(0);
      this.#onGarbage('more than 1 MiB without a complete part; discarded');
    }
  }

  /** Takes one complete part off the buffer; false when more bytes are needed. */
  #next(): boolean {
    // Skip blank lines and delimiter lines ("--anything") before a header block.
    const text = this.#buf.toString('latin1');
    let pos = 0;
    for (;;) {
      const nl = text.indexOf('\n', pos);
      if (nl === -1) break;
      const line = text.slice(pos, nl).replace(/\r$/, '');
      if (line === '' || line.startsWith('--')) {
        pos = nl + 1;
        continue;
      }
      break;
    }
    if (pos > 0) {
      this.#buf = this.#buf.subarray(pos);
      return true;
    }
    const rest = text;
    if (rest.startsWith('<')) {
      // A body with no headers at all (seen on some firmware after a bad boundary): take up to the root's end.
      return this.#takeXmlWithoutLength(rest, 0, 'application/xml');
    }
    const firstNl = rest.indexOf('\n');
    if (firstNl !== -1 && !/^[!-9;-~]+:/.test(rest.slice(0, firstNl))) {
      // Neither a delimiter, a header nor XML: drop the line and resynchronise on the next one.
      this.#onGarbage('a line that is neither a delimiter nor a part header');
      this.#buf = this.#buf.subarray(firstNl + 1);
      return true;
    }
    const m = HEADER_END.exec(rest);
    if (!m) return false;
    const headerText = rest.slice(0, m.index);
    const bodyStart = m.index + m[0].length;
    const headers = new Map<string, string>();
    for (const line of headerText.split(/\r?\n/)) {
      const i = line.indexOf(':');
      if (i > 0) headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
    }
    if (headers.size === 0) {
      // Not a header block: drop the line and resynchronise on the next one.
      const nl = rest.indexOf('\n');
      this.#onGarbage('a line that is neither a delimiter nor a part header');
      this.#buf = this.#buf.subarray(nl + 1);
      return true;
    }
    const contentType = headers.get('content-type') ?? 'application/octet-stream';
    const lenText = headers.get('content-length');
    const len = lenText !== undefined && /^\d+$/.test(lenText) ? Number(lenText) : undefined;
    if (len !== undefined) {
      if (this.#buf.length < bodyStart + len) return false;
      const body = Buffer.from(this.#buf.subarray(bodyStart, bodyStart + len));
      this.#buf = this.#buf.subarray(bodyStart + len);
      this.#onPart({ contentType, body });
      return true;
    }
    return this.#takeXmlWithoutLength(rest, bodyStart, contentType);
  }

  #takeXmlWithoutLength(text: string, bodyStart: number, contentType: string): boolean {
    const body = text.slice(bodyStart);
    const root = /^\s*(?:<\?xml[^>]*\?>\s*)?<([A-Za-z_][\w:.-]*)/.exec(body)?.[1];
    let end = -1;
    if (root) {
      const close = `</${root}>`;
      const i = body.indexOf(close);
      if (i !== -1) end = i + close.length;
    }
    if (end === -1) {
      const d = body.search(/\r?\n--/);
      if (d === -1) return false;
      end = d;
    }
    const part = Buffer.from(this.#buf.subarray(bodyStart, bodyStart + end));
    this.#buf = this.#buf.subarray(bodyStart + end);
    this.#onPart({ contentType, body: part });
    return true;
  }
}
