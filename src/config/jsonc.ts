// Reads JSON with // and /* */ comments (the commented example config), keeping comment-like text inside strings.

/** Removes comments outside strings; line and column numbers stay the same so JSON errors still point right. */
export function stripJsonComments(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const next = text[i + 1];
    if (inString) {
      out += ch;
      if (ch === '\\') out += text[++i] ?? '';
      else if (ch === '"') inString = false;
    } else if (ch === '"') {
      inString = true;
      out += ch;
    } else if (ch === '/' && next === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (ch === '/' && next === '*') {
      i += 2;
      while (i < text.length && !(text[i] === '*' && text[i + 1] === '/')) out += text[i++] === '\n' ? '\n' : ' ';
      i++;
    } else {
      out += ch;
    }
  }
  return out;
}
