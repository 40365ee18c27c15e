/**
 * The limits a CSV read checks, with their defaults. They sit here, below the batch code, so the
 * reader needs nothing from batch/: batch/limits.ts builds `DEFAULT_LIMITS` on these numbers.
 */

/**
 * Longest column name, in UTF-8 bytes. Names are stored in the job document (up to 100 of them,
 * beside a flow of up to 512 KB, within Firestore's 1 MiB) and as keys of every stored row.
 */
export const MAX_COLUMN_NAME_BYTES = 1_000;

/** The size checks of one read: data rows, header columns, UTF-8 bytes in any cell. */
export interface CsvLimits {
  maxRows: number;
  maxColumns: number;
  maxCellBytes: number;
}

/** 100,000 rows: the provider batch APIs' size; 100 columns; 50,000 bytes in a cell. */
export const DEFAULT_CSV_LIMITS: CsvLimits = { maxRows: 100_000, maxColumns: 100, maxCellBytes: 50_000 };
