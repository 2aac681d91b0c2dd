import { affected, claimableSql, returnedRows, stalledSql } from './lease.sql';

describe('lease SQL', () => {
  it('qualifies the claimable predicate by alias, running status and threshold', () => {
    expect(claimableSql('c', 'rendering', '$2')).toBe(
      `(c.status = 'queued' OR (c.status = 'rendering' AND c.heartbeat_at < now() - make_interval(secs => $2)))`,
    );
    expect(stalledSql('', 'running', ':stall')).toBe(
      `status = 'running' AND heartbeat_at < now() - make_interval(secs => :stall)`,
    );
  });

  it('unwraps what pg returns for UPDATE … RETURNING and for SELECT alike', () => {
    expect(returnedRows([[{ attempt: 2 }], 1])).toEqual([{ attempt: 2 }]);
    expect(returnedRows([[], 0])).toEqual([]);
    expect(returnedRows([{ id: 'a' }, { id: 'b' }])).toEqual([{ id: 'a' }, { id: 'b' }]);
    expect(returnedRows([])).toEqual([]);
  });

  it('counts the rows an UPDATE changed', () => {
    expect(affected([[], 3])).toBe(3);
    expect(affected([[], 0])).toBe(0);
    expect(affected([{ id: 'a' }])).toBe(1);
    expect(affected(undefined)).toBe(0);
  });
});
