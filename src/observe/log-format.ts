// How log lines look: JSON (one object per line, for collectors) or pretty (for a person at a terminal).

export type LogFormat = 'json' | 'pretty';

/** LOG_FORMAT wins; without it, pretty on a terminal and JSON anywhere else (a pipe, a file, a container's log). */
export function chooseLogFormat(isTTY: boolean | undefined, setting: LogFormat | undefined): LogFormat {
  return setting ?? (isTTY === true ? 'pretty' : 'json');
}
