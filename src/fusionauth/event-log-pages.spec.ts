import { allPages, SearchPage } from './event-log-pages';

/** A search over `rows` as FusionAuth pages it, recording every request. */
function searchOver(rows: number[], options: { reportTotal?: boolean } = {}) {
  const requests: [number, number][] = [];
  const fetchPage = (startRow: number, numberOfResults: number): Promise<SearchPage<number>> => {
    requests.push([startRow, numberOfResults]);
    return Promise.resolve({
      total: options.reportTotal === false ? undefined : rows.length,
      rows: rows.slice(startRow, startRow + numberOfResults),
    });
  };
  return { fetchPage, requests };
}

async function collect(source: AsyncIterable<number>): Promise<number[]> {
  const out: number[] = [];
  for await (const row of source) out.push(row);
  return out;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('allPages', () => {
  it('reads every row, page after page, and stops at the reported total', async () => {
    const { fetchPage, requests } = searchOver(range(250));
    expect(await collect(allPages(fetchPage, { pageSize: 100, maxRows: 10_000 }))).toEqual(range(250));
    expect(requests).toEqual([
      [0, 100],
      [100, 100],
      [200, 100],
    ]);
  });

  it('does not ask again when the total is an exact number of pages', async () => {
    const { fetchPage, requests } = searchOver(range(200));
    expect(await collect(allPages(fetchPage, { pageSize: 100, maxRows: 10_000 }))).toHaveLength(200);
    expect(requests).toHaveLength(2);
  });

  it('stops at a short page when no total is reported', async () => {
    const { fetchPage, requests } = searchOver(range(150), { reportTotal: false });
    expect(await collect(allPages(fetchPage, { pageSize: 100, maxRows: 10_000 }))).toEqual(range(150));
    expect(requests).toEqual([
      [0, 100],
      [100, 100],
    ]);
  });

  it('asks once for an empty log', async () => {
    const { fetchPage, requests } = searchOver([]);
    expect(await collect(allPages(fetchPage, { pageSize: 100, maxRows: 10_000 }))).toEqual([]);
    expect(requests).toEqual([[0, 100]]);
  });

  it('reads no more than maxRows, the last page cut to fit', async () => {
    const { fetchPage, requests } = searchOver(range(1000));
    expect(await collect(allPages(fetchPage, { pageSize: 100, maxRows: 250 }))).toEqual(range(250));
    expect(requests.at(-1)).toEqual([200, 50]);
  });

  it('passes a failed page on to the caller', async () => {
    const failing = () => Promise.reject(new Error('FusionAuth is down'));
    await expect(collect(allPages(failing, { pageSize: 100, maxRows: 10_000 }))).rejects.toThrow('FusionAuth is down');
  });
});
