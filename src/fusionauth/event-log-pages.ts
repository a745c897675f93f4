/** One page of a FusionAuth search: its rows and the total the criteria match. */
export interface SearchPage<T> {
  readonly total?: number;
  readonly rows?: readonly T[];
}

export interface PagingLimits {
  /** Rows asked for per request (`numberOfResults`). */
  readonly pageSize: number;
  /** Stops after this many rows, so a runaway log cannot keep a replay going forever. */
  readonly maxRows: number;
}

/**
 * Every row of a FusionAuth search, page by page (`startRow`, `numberOfResults`): until the reported
 * `total` is reached, a page comes back short or empty, or `maxRows` is read. The caller orders the
 * search oldest first, so rows inserted meanwhile land after the ones already read.
 */
export async function* allPages<T>(
  fetchPage: (startRow: number, numberOfResults: number) => Promise<SearchPage<T>>,
  limits: PagingLimits,
): AsyncGenerator<T> {
  let startRow = 0;
  while (startRow < limits.maxRows) {
    const numberOfResults = Math.min(limits.pageSize, limits.maxRows - startRow);
    const page = await fetchPage(startRow, numberOfResults);
    const rows = page.rows ?? [];
    yield* rows;
    startRow += rows.length;
    if (rows.length < numberOfResults || (page.total !== undefined && startRow >= page.total)) return;
  }
}
