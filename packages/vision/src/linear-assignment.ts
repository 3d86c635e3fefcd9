/**
 * Minimum-cost assignment of rows to columns where a pair may cost at most `costLimit` (the ByteTrack
 * `linear_assignment` with `lap.lapjv(extend_cost=True, cost_limit=…)`): leaving a row and a column unmatched
 * costs `costLimit`, so a pair is matched only when that is cheaper overall. Rows and columns with no allowed
 * pair are set aside first, so the Hungarian solve (O(n³)) only sees the contested part.
 *
 * `cost` is row-major rows×columns. Returns, per row, the matched column or -1.
 */
export function linearAssignment(cost: ArrayLike<number>, rows: number, columns: number, costLimit: number): Int32Array {
  const rowToColumn = new Int32Array(rows).fill(-1);
  if (rows === 0 || columns === 0) return rowToColumn;
  const activeRows: number[] = [];
  const columnActive = new Uint8Array(columns);
  for (let row = 0; row < rows; row += 1) {
    let any = false;
    for (let column = 0; column < columns; column += 1) {
      if ((cost[row * columns + column] as number) <= costLimit) {
        any = true;
        columnActive[column] = 1;
      }
    }
    if (any) activeRows.push(row);
  }
  const activeColumns: number[] = [];
  for (let column = 0; column < columns; column += 1) if (columnActive[column] === 1) activeColumns.push(column);
  const rowCount = activeRows.length;
  const columnCount = activeColumns.length;
  if (rowCount === 0) return rowToColumn;

  // Square extension: [cost, dummy; dummy, 0] with dummy = costLimit / 2 per unmatched side.
  const size = rowCount + columnCount;
  const forbidden = costLimit * 4 + 1e6;
  const extended = new Float64Array(size * size);
  for (let row = 0; row < size; row += 1) {
    for (let column = 0; column < size; column += 1) {
      let value: number;
      if (row < rowCount && column < columnCount) {
        const original = cost[(activeRows[row] as number) * columns + (activeColumns[column] as number)] as number;
        value = original <= costLimit ? original : forbidden;
      } else if (row < rowCount || column < columnCount) {
        value = costLimit / 2;
      } else {
        value = 0;
      }
      extended[row * size + column] = value;
    }
  }
  const assignment = hungarian(extended, size);
  for (let row = 0; row < rowCount; row += 1) {
    const column = assignment[row] as number;
    if (column < columnCount) {
      const originalRow = activeRows[row] as number;
      const originalColumn = activeColumns[column] as number;
      if ((cost[originalRow * columns + originalColumn] as number) <= costLimit) rowToColumn[originalRow] = originalColumn;
    }
  }
  return rowToColumn;
}

/** Hungarian algorithm with potentials on a square size×size matrix; returns the column of each row. */
export function hungarian(cost: Float64Array, size: number): Int32Array {
  const rowPotential = new Float64Array(size + 1);
  const columnPotential = new Float64Array(size + 1);
  const rowOfColumn = new Int32Array(size + 1);
  const way = new Int32Array(size + 1);
  const minimum = new Float64Array(size + 1);
  const used = new Uint8Array(size + 1);
  for (let row = 1; row <= size; row += 1) {
    rowOfColumn[0] = row;
    let column0 = 0;
    minimum.fill(Infinity);
    used.fill(0);
    do {
      used[column0] = 1;
      const row0 = rowOfColumn[column0] as number;
      let delta = Infinity;
      let column1 = 0;
      for (let column = 1; column <= size; column += 1) {
        if (used[column] === 1) continue;
        const reduced = (cost[(row0 - 1) * size + (column - 1)] as number) - (rowPotential[row0] as number) - (columnPotential[column] as number);
        if (reduced < (minimum[column] as number)) {
          minimum[column] = reduced;
          way[column] = column0;
        }
        if ((minimum[column] as number) < delta) {
          delta = minimum[column] as number;
          column1 = column;
        }
      }
      for (let column = 0; column <= size; column += 1) {
        if (used[column] === 1) {
          const owner = rowOfColumn[column] as number;
          rowPotential[owner] = (rowPotential[owner] as number) + delta;
          columnPotential[column] = (columnPotential[column] as number) - delta;
        } else {
          minimum[column] = (minimum[column] as number) - delta;
        }
      }
      column0 = column1;
    } while (rowOfColumn[column0] !== 0);
    do {
      const column1 = way[column0] as number;
      rowOfColumn[column0] = rowOfColumn[column1] as number;
      column0 = column1;
    } while (column0 !== 0);
  }
  const columnOfRow = new Int32Array(size);
  for (let column = 1; column <= size; column += 1) columnOfRow[(rowOfColumn[column] as number) - 1] = column - 1;
  return columnOfRow;
}
