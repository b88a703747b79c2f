// The import's mirror writes take turns (StreamContext.serialize). A promise chain, not bottleneck: bottleneck's
// datastore yields the event loop a few times per job (about 5 ms a job, measured), and a delta read writes one page
// at a time, so that wait was added to every page: about 0.5 s of the 142 pages before a 10,000-user initial sync's
// first Notion request.

/** Runs the functions it is given one at a time, in the order given; one that fails does not stop the next. */
export function oneAtATime(): <T>(run: () => Promise<T>) => Promise<T> {
  let last: Promise<unknown> = Promise.resolve();
  return <T>(run: () => Promise<T>): Promise<T> => {
    const turn = last.then(run);
    last = turn.catch(() => undefined);
    return turn;
  };
}
