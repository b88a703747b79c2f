// A terminal's bottom line belongs to the progress bar; every other line printed while it shows is written above
// it (the bar is wiped, the line written, the bar drawn again), so log lines and the bar never share a line.

interface StatusLine {
  stream: NodeJS.WritableStream;
  text: string;
}

let current: StatusLine | undefined;

/** Draws (or redraws) the status line on `stream`. */
export function showStatusLine(stream: NodeJS.WritableStream, text: string): void {
  current = { stream, text };
  stream.write(`\r${text}\u001b[K`);
}

/** Leaves the status line as it is, as an ordinary line, and frees the bottom line. */
export function endStatusLine(): void {
  if (current === undefined) return;
  current.stream.write('\n');
  current = undefined;
}

/** Writes whole lines above the status line, if one shows. */
export function writeAboveStatusLine(stream: NodeJS.WritableStream, text: string): void {
  const line = current;
  if (line === undefined) {
    stream.write(text);
    return;
  }
  line.stream.write('\r\u001b[K');
  stream.write(text);
  line.stream.write(`\r${line.text}\u001b[K`);
}
